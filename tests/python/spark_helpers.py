"""Running dbt on the spark target in the tests (issue #15), and reading
what it wrote: Spark's managed Parquet tables, or an export of every
relation, views too (macro export_parquet), through DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import EXAMPLE_LANDING, SALT

from journey.simulate.config import project_root

# what export_spark writes
EXPORTED_SCHEMAS = ("staging", "intermediate", "marts", "reference", "snapshots")


def spark_dbt(tmp: Path, args: list[str], landing: Path = EXAMPLE_LANDING, profiles: Path | None = None,
              salt: str = SALT) -> subprocess.CompletedProcess[str]:
    """dbt on the spark target, its warehouse, target and logs under tmp."""
    root = project_root()
    env = {
        **os.environ,
        "JOURNEY_DBT_TARGET": "spark",
        "JOURNEY_SPARK_WAREHOUSE": str(tmp / "spark-warehouse"),
        "JOURNEY_LANDING_PATH": str(landing),
        "JOURNEY_HASH_SALT": salt,
        "DO_NOT_TRACK": "1",
        # two models at once: Spark's per-query start-up overlaps another's work
        "JOURNEY_DBT_THREADS": "2",
        # the test zones are small: one task per shuffle, and Spark's own
        # settings for small data (tests/spark-conf/spark-defaults.conf)
        "JOURNEY_SPARK_SHUFFLE_PARTITIONS": "1",
        "SPARK_CONF_DIR": str(root / "tests" / "spark-conf"),
    }
    argv = [
        str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(root),
        "--profiles-dir", str(profiles or root), "--target-path", str(tmp / "target"),
        "--log-path", str(tmp / "logs"),
    ]  # fmt: skip
    return subprocess.run(argv, env=env, cwd=tmp, capture_output=True, text=True, timeout=900)


def spark_build(tmp: Path, landing: Path, args: list[str]) -> dict[str, str]:
    """A dbt build on Spark (`args`); each node's status."""
    done = spark_dbt(tmp, args, landing=landing)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results}


def spark_table(warehouse: Path, schema: str, table: str) -> str:
    """A managed Spark table's Parquet files, for DuckDB's read_parquet."""
    folder = warehouse / f"{schema}.db" / table
    assert folder.is_dir(), f"no managed table {schema}.{table} under {warehouse}"
    assert any(folder.glob("*.parquet")), f"{schema}.{table} is not stored as Parquet"
    return f"read_parquet('{folder}/*.parquet')"


def export_spark(tmp: Path, landing: Path) -> Path:
    """Every relation of EXPORTED_SCHEMAS, views too, written by Spark as
    Parquet (macro export_parquet) to tmp/export/<schema>/<relation>/."""
    folder = tmp / "export"
    args = json.dumps({"folder": str(folder), "schemas": list(EXPORTED_SCHEMAS)})
    done = spark_dbt(tmp, ["run-operation", "export_parquet", "--args", args], landing=landing)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    return folder


def open_export(folder: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per exported relation, named as in
    the warehouse (schema.relation), for the queries the truth tests run on
    DuckDB's warehouse."""
    con = duckdb.connect()
    for schema in sorted(path for path in folder.iterdir() if path.is_dir()):
        con.execute(f"create schema {schema.name}")
        for relation in sorted(path for path in schema.iterdir() if path.is_dir()):
            con.execute(
                f"create view {schema.name}.{relation.name} as"
                f" select * from read_parquet('{relation}/*.parquet')"
            )
    return con
