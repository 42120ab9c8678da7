"""The spark target on the simulated test zone (issue #15): the whole
project built once on Spark, without the data tests (they run on Spark on
the example zone: test_spark.py), and every relation, views too, equal to
DuckDB's, the erasure in staging applied on both. The truth tests of
identity, sessions and conversions run on Spark's relations too
(truth_warehouse "on spark", conftest.py). Marker spark_sim (pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import SALT
from spark_helpers import EXPORTED_SCHEMAS, spark_table
from test_spark import SCHEMAS, compare_with_duckdb, erasure_applied

pytestmark = pytest.mark.spark_sim


def exported(spark_sim: Path, schema: str, relation: str) -> str:
    """A relation Spark exported (spark_helpers.export_spark); the build log,
    which is no dbt node, from its managed table."""
    if schema not in EXPORTED_SCHEMAS:
        return spark_table(spark_sim / "spark-warehouse", schema, relation)
    return f"read_parquet('{spark_sim / 'export' / schema / relation}/*.parquet')"


def test_every_relation_on_spark_equals_duckdb_on_the_simulated_zone(
    spark_sim: Path, sim_dir: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    landing = sim_dir / "landing"
    relations = sorted(
        (schema, folder.name) for schema in SCHEMAS for folder in (spark_sim / "export" / schema).glob("*")
    )  # fmt: skip
    assert len(relations) > 90 and ("staging", "stg_web__events") in relations  # views too
    # the simulated zone holds an erasure, which both engines applied alike
    applied = erasure_applied(duckdb.connect(), lambda schema, table: exported(spark_sim, schema, table))
    assert applied == erasure_applied(warehouse) and applied[0] > 0
    for schema, relation in relations:
        compare_with_duckdb(
            warehouse, landing, lambda s, t: exported(spark_sim, s, t), landing, schema, relation
        )


def test_no_file_spark_writes_holds_the_salt(spark_sim: Path) -> None:
    found = [path for path in spark_sim.rglob("*") if path.is_file() and SALT.encode() in path.read_bytes()]
    assert not found, found
