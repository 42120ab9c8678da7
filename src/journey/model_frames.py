"""What the project's Python models read and return, on DuckDB (dbt-duckdb
hands them relations and writes the Arrow table they return) and on Spark
(dbt-spark hands them DataFrames and writes a DataFrame; the models run there
through the session method of the dbt_journey plugin)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa


def is_spark(relation: Any) -> bool:
    """Whether a ref (or the model's session) is Spark's."""
    return type(relation).__module__.startswith("pyspark")


def rows_of(relation: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    """Some columns of a ref, row by row."""
    if is_spark(relation):
        return [tuple(row) for row in relation.select(*columns).collect()]
    return relation.project(", ".join(columns)).fetchall()


def numpy_of(relation: Any, columns: list[str]) -> dict[str, np.ndarray]:
    """Some columns of a ref, each as a NumPy array (a null as None or
    masked, which the models fill)."""
    if is_spark(relation):
        table = relation.select(*columns).toArrow()
        return {name: table.column(name).to_numpy(zero_copy_only=False) for name in columns}
    return relation.project(", ".join(columns)).fetchnumpy()


def model_result(table: pa.Table, session: Any) -> Any:
    """The model's rows as its engine writes them: the Arrow table on DuckDB,
    a DataFrame of it on Spark."""
    return session.createDataFrame(table) if is_spark(session) else table
