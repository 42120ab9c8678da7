"""The spark target (issue #15, in progress): what runs on Spark so far runs
there for real, through dbt-spark's session method on local[*], and gives
what DuckDB gives.

So far: the profile and its session settings, the on-run-start hooks (the
salt on the session, the landing root listed through Spark), the seeds and
their data tests, the singular tests of the portable macros (tag:unit:
channel grouping, identifier normalisation, the SHA-256 check), the landing
inventory and the staging of the CSV sources built as tables (SPARK_MODELS),
with their data tests, on the example zone and on the simulated test zone.
Each build runs dbt in a process of its own (the Spark driver lives as long
as its process); the tests read Spark's managed Parquet files with DuckDB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLE_LANDING, SALT

from journey.simulate.config import project_root

SEEDS = sorted(path.stem for path in (project_root() / "seeds").glob("*.csv"))
# the models that run on Spark so far, with the tables among them compared
# with DuckDB's (the others are views over them)
SPARK_TABLES = [
    "base_landing__files", "base_ads__spend", "base_affiliates__commissions", "base_catalog__products",
    "base_costs__other_costs", "base_pos__stores", "base_surveys__nps_responses",
]  # fmt: skip
SPARK_MODELS = [
    *SPARK_TABLES, "stg_ads__spend", "stg_affiliates__commissions", "stg_catalog__products",
    "stg_costs__other_costs", "stg_pos__stores", "stg_surveys__nps_responses",
]  # fmt: skip
SPARK_SELECTION = ["build", "--select", "resource_type:seed", "tag:unit", *SPARK_MODELS,
                   "--indirect-selection", "cautious"]  # fmt: skip


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
    }
    argv = [
        str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(root),
        "--profiles-dir", str(profiles or root), "--target-path", str(tmp / "target"),
        "--log-path", str(tmp / "logs"),
    ]  # fmt: skip
    return subprocess.run(argv, env=env, cwd=tmp, capture_output=True, text=True, timeout=900)


def spark_table(warehouse: Path, schema: str, table: str) -> str:
    """A managed Spark table's Parquet files, for DuckDB's read_parquet."""
    folder = warehouse / f"{schema}.db" / table
    assert folder.is_dir(), f"no managed table {schema}.{table} under {warehouse}"
    assert any(folder.glob("*.parquet")), f"{schema}.{table} is not stored as Parquet"
    return f"read_parquet('{folder}/*.parquet')"


def rows_of(cursor: duckdb.DuckDBPyConnection) -> list[tuple]:
    """A result's rows, sorted, a time with a zone as the UTC time without
    one (Spark's timestamps are instants; DuckDB's read_blob gives a zone)."""

    def plain(value: object) -> object:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    return sorted((tuple(plain(v) for v in row) for row in cursor.fetchall()), key=repr)


def compare_with_duckdb(duck: duckdb.DuckDBPyConnection, warehouse: Path, schema: str, table: str,
                        erased: set[str] = frozenset()) -> None:
    """A Spark table holds DuckDB's rows, column for column; rows DuckDB's
    erasure deleted (a hash in `erased`: publishing, not yet on Spark) aside."""
    found = duck.execute(f"select * from {schema}.{table}")
    columns = [d[0] for d in found.description]
    types = [str(d[1]).replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMP") for d in found.description]
    expected = rows_of(found)
    read = duckdb.connect().execute(
        f"select {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} from {spark_table(warehouse, schema, table)}"
    )
    assert [str(d[1]) for d in read.description] == types, (table, "column types differ")
    got = rows_of(read)
    missing = [row for row in expected if row not in got]
    extra = [row for row in got if row not in expected]
    hashes = [i for i, c in enumerate(columns) if c.endswith("_hash") and c != "row_hash"]
    unexplained = [row for row in extra if not any(row[i] in erased for i in hashes)]
    assert not missing and not unexplained, (table, missing[:3], unexplained[:3])
    assert len(got) - len(extra) == len(expected)


@pytest.fixture(scope="module")
def spark_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example zone: what runs on Spark so far."""
    tmp = tmp_path_factory.mktemp("spark")
    done = spark_dbt(tmp, SPARK_SELECTION)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    return tmp


@pytest.fixture(scope="module")
def spark_sim(sim_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulated test zone: the same nodes."""
    tmp = tmp_path_factory.mktemp("spark-sim")
    done = spark_dbt(tmp, SPARK_SELECTION, landing=sim_dir / "landing")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    return tmp


def test_seeds_and_portable_macro_tests_pass_on_spark(spark_seeds: Path) -> None:
    results = json.loads((spark_seeds / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"]: r["status"] for r in results}
    seeds = sorted(uid.split(".")[-1] for uid in status if uid.startswith("seed."))
    assert seeds == SEEDS
    models = sorted(uid.split(".")[-1] for uid in status if uid.startswith("model."))
    assert models == sorted(SPARK_MODELS)
    singular = sorted(uid.split(".")[-1] for uid in status if uid.startswith("test.") and uid.count(".") == 2)
    assert singular == ["assert_channel_grouping", "assert_identifier_normalisation", "assert_sha256_hex_check"]
    # the nodes' data tests ran (none is left out by the selection) and passed
    assert sum(uid.startswith("test.") for uid in status) > 60
    assert set(status.values()) == {"success", "pass"}, {u: s for u, s in status.items() if s not in ("success", "pass")}


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_on_spark_equals_duckdb(spark_seeds: Path, example_warehouse: duckdb.DuckDBPyConnection,
                                          seed: str) -> None:
    duck = example_warehouse.execute(f"select * from reference.{seed}")
    columns = [d[0] for d in duck.description]
    expected = sorted(duck.fetchall(), key=repr)
    spark = duckdb.connect()
    got = spark.execute(f"select {', '.join(columns)} from {spark_table(spark_seeds / 'spark-warehouse', 'reference', seed)}")
    assert [d[1] for d in got.description] == [d[1] for d in duck.description], "column types differ"
    rows = got.fetchall()
    if seed == "junk_identifiers":
        # dbt's seed loader reads the text `null` as a null on Spark (and every
        # adapter but DuckDB's); int_identity__junk_hashes reads it back
        assert sum(row[1] is None for row in rows) == 1
        rows = [(row[0], "null" if row[1] is None else row[1], *row[2:]) for row in rows]
    assert sorted(rows, key=repr) == expected


@pytest.mark.parametrize("table", SPARK_TABLES)
def test_each_staged_table_on_spark_equals_duckdb_on_the_example_zone(
    spark_seeds: Path, example_warehouse: duckdb.DuckDBPyConnection, table: str
) -> None:
    compare_with_duckdb(example_warehouse, spark_seeds / "spark-warehouse", "staging", table)


@pytest.mark.parametrize("table", SPARK_TABLES)
def test_each_staged_table_on_spark_equals_duckdb_on_the_simulated_zone(
    spark_sim: Path, warehouse: duckdb.DuckDBPyConnection, table: str
) -> None:
    erased = {row[0] for row in warehouse.execute(
        "select identifier_hash from intermediate.int_identity__erased_identifiers"
    ).fetchall()}  # fmt: skip
    assert erased, "the simulated zone holds an erasure"
    compare_with_duckdb(warehouse, spark_sim / "spark-warehouse", "staging", table, erased)


def test_no_file_spark_writes_holds_the_salt(spark_seeds: Path, spark_sim: Path) -> None:
    found = [
        path for folder in (spark_seeds, spark_sim) for path in folder.rglob("*")
        if path.is_file() and SALT.encode() in path.read_bytes()
    ]  # fmt: skip
    assert not found, found


def test_a_profile_without_the_salt_setting_stops_the_build(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (project_root() / "profiles.yml").read_text()
    (profiles / "profiles.yml").write_text(
        "\n".join(line for line in text.splitlines() if "journey.hash_salt:" not in line)
    )
    done = spark_dbt(tmp_path, ["seed"], profiles=profiles)
    assert done.returncode != 0
    assert "The hash salt is not set on the Spark session" in done.stdout


def test_an_empty_landing_root_stops_the_build_with_its_name(tmp_path: Path) -> None:
    empty = tmp_path / "empty-landing"
    empty.mkdir()
    done = spark_dbt(tmp_path, ["seed"], landing=empty)
    assert done.returncode != 0
    assert f"JOURNEY_LANDING_PATH is '{empty}': no such folder, or it holds no file" in done.stdout
    shutil.rmtree(tmp_path / "spark-warehouse", ignore_errors=True)
