"""The spark target on the simulated test zone (issue #15): the whole
project built once on Spark, without the data tests (they run on Spark on
the example zone: test_spark.py), and every relation, views too, equal to
DuckDB's, the erasure in staging applied on both: the tables read where
Spark keeps them, the views as Spark exports them. The truth tests of
identity, sessions and conversions run on Spark's relations too
(truth_warehouse "on spark", conftest.py). Marker spark_sim (pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import SALT
from spark_helpers import spark_relations
from test_spark import SCHEMAS, compare_with_duckdb, erasure_applied

pytestmark = pytest.mark.spark_sim


def test_every_relation_on_spark_equals_duckdb_on_the_simulated_zone(
    spark_sim: Path, sim_dir: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    landing = sim_dir / "landing"
    relations = spark_relations(spark_sim)
    compared = sorted(relation for relation in relations if relation[0] in SCHEMAS)
    assert len(compared) > 90 and ("staging", "stg_web__events") in compared  # views too
    # the simulated zone holds an erasure, which both engines applied alike
    applied = erasure_applied(duckdb.connect(), lambda schema, table: relations[(schema, table)])
    assert applied == erasure_applied(warehouse) and applied[0] > 0
    for schema, relation in compared:
        compare_with_duckdb(
            warehouse, landing, lambda s, t: relations[(s, t)], landing, schema, relation
        )


def test_no_file_spark_writes_holds_the_salt(spark_sim: Path) -> None:
    found = [path for path in spark_sim.rglob("*") if path.is_file() and SALT.encode() in path.read_bytes()]
    assert not found, found
