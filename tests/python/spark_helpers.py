"""Running dbt on the spark target in the tests (issue #15), and reading
what it wrote through DuckDB: Spark's managed Parquet tables, and its
views as Spark exports them (macro export_parquet)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
from conftest import EXAMPLE_LANDING, SALT

from journey.simulate.config import project_root

# the schemas dbt builds in, and the build's own state (the build log, the
# erasure applied) in the target's schema
PROJECT_SCHEMAS = ("staging", "intermediate", "marts", "reference", "snapshots")
STATE_SCHEMA = "main"


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


def managed_tables(warehouse: Path, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """The project's managed Spark tables in `schemas`, (schema, table), but
    dbt's work tables and the `__replaced` companions."""
    return sorted(
        (schema, folder.name) for schema in schemas for folder in (warehouse / f"{schema}.db").glob("*")
        if folder.is_dir() and "__dbt" not in folder.name and not folder.name.endswith("__replaced")
    )  # fmt: skip


def export_views(tmp: Path, landing: Path) -> Path:
    """The views of PROJECT_SCHEMAS, which only Spark can read, written by
    Spark as Parquet (macro export_parquet, materializations [view]) to
    tmp/export/<schema>/<view>/; the tables are Parquet files already."""
    folder = tmp / "export"
    args = json.dumps({"folder": str(folder), "schemas": list(PROJECT_SCHEMAS), "materializations": ["view"]})
    done = spark_dbt(tmp, ["run-operation", "export_parquet", "--args", args], landing=landing)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    return folder


def spark_relations(tmp: Path) -> dict[tuple[str, str], str]:
    """Every relation of a Spark build in tmp, (schema, relation), named for
    DuckDB's read_parquet: a table's managed files (PROJECT_SCHEMAS and
    STATE_SCHEMA), a view's export (export_views)."""
    relations = {
        (schema, table): spark_table(tmp / "spark-warehouse", schema, table)
        for schema, table in managed_tables(tmp / "spark-warehouse", (STATE_SCHEMA, *PROJECT_SCHEMAS))
    }
    for view in sorted((tmp / "export").glob("*/*")):
        key = (view.parent.name, view.name)
        assert key not in relations, f"{key} is a table and a view"
        relations[key] = f"read_parquet('{view}/*.parquet')"
    return relations


def open_spark(tmp: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per relation of a Spark build in tmp
    (spark_relations), named as in the warehouse (schema.relation), for the
    queries the truth tests run on DuckDB's warehouse."""
    con = duckdb.connect()
    relations = spark_relations(tmp)
    for schema in sorted({schema for schema, _ in relations}):
        con.execute(f"create schema if not exists {schema}")
    for (schema, relation), files in relations.items():
        con.execute(f"create view {schema}.{relation} as select * from {files}")
    return con
