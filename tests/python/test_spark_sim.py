"""The spark target on the simulated test zone (issue #15): the whole
project built once on Spark, without the tests (they run on the example
zone: test_spark.py), and every table equal to DuckDB's, but for the
erasure. Left out of `make test` (marker spark_sim, pyproject.toml): the
suite must stay within 20 minutes on two cores; `.venv/bin/pytest -m
spark_sim` runs it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import SALT
from test_spark import FIRST_BUILD, compare_with_duckdb, erased_hashes, spark_build, spark_tables

pytestmark = pytest.mark.spark_sim


@pytest.fixture(scope="module")
def spark_sim(sim_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("spark-sim")
    spark_build(tmp, sim_dir / "landing", FIRST_BUILD)
    return tmp


def test_every_table_on_spark_equals_duckdb_on_the_simulated_zone(
    spark_sim: Path, sim_dir: Path, warehouse: duckdb.DuckDBPyConnection
) -> None:
    erased = erased_hashes(warehouse)
    assert erased, "the simulated zone holds an erasure"
    landing = sim_dir / "landing"
    tables = spark_tables(spark_sim / "spark-warehouse")
    assert len(tables) > 60 and ("marts", "mart_customer_value") in tables
    for schema, table in tables:
        compare_with_duckdb(warehouse, landing, spark_sim / "spark-warehouse", landing, schema, table, erased)


def test_no_file_spark_writes_holds_the_salt(spark_sim: Path) -> None:
    found = [path for path in spark_sim.rglob("*") if path.is_file() and SALT.encode() in path.read_bytes()]
    assert not found, found
