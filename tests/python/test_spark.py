"""The spark target (issue #15, in progress): what runs on Spark so far runs
there for real, through dbt-spark's session method on local[*], and gives
what DuckDB gives.

So far: the profile and its session settings, the on-run-start hooks (the
salt on the session, the landing root listed through Spark, the build log),
the seeds and their data tests, the singular tests of the portable macros
(tag:unit: channel grouping, identifier normalisation, the SHA-256 check),
the landing inventory and the staging of every CSV source (SPARK_MODELS:
the tables, the incremental ones through replace_keys on Parquet, and the
views over them), with their data tests. The example zone is built twice,
the second build incremental (two till files land, two files come again
with new modification times) and with the data tests; the simulated test
zone once, without them. Each build runs
dbt in a process of its own (the Spark driver lives as long as its
process); the tests read Spark's managed Parquet files with DuckDB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLE_LANDING, SALT, copy_example

from journey.simulate.config import project_root

SEEDS = sorted(path.stem for path in (project_root() / "seeds").glob("*.csv"))
# the models that run on Spark so far: the tables among them are compared
# with DuckDB's (the others are views over them)
SPARK_TABLES = [
    "base_landing__files", "base_ads__spend", "base_affiliates__commissions", "base_catalog__products",
    "base_costs__other_costs", "base_pos__stores", "base_surveys__nps_responses",
    "base_pos__transaction_rows", "base_pos__transaction_line_rows", "base_pos__transactions",
    "base_pos__transaction_lines", "base_crm__contact_rows", "base_crm__current_contacts",
    "base_crm__email_event_lines", "base_crm__email_event_duplicates",
]  # fmt: skip
SPARK_MODELS = [
    *SPARK_TABLES, "stg_ads__spend", "stg_affiliates__commissions", "stg_catalog__products",
    "stg_costs__other_costs", "stg_pos__stores", "stg_surveys__nps_responses", "stg_pos__transactions",
    "stg_pos__transaction_lines", "base_crm__contacts", "base_crm__email_events", "stg_crm__contacts",
    "stg_crm__email_events",
]  # fmt: skip
SPARK_SELECTION = [
    "build", "--select", "resource_type:seed", "tag:unit", *SPARK_MODELS, "--indirect-selection", "cautious",
    # reads int_identity__erasure_requests, which is not on Spark yet
    "--exclude", "known_contact_stg_crm__email_events_contact_id_hash",
]  # fmt: skip
# when a row was written, and a file's modification time (the example zone is
# copied for Spark): not compared
MARKERS = {"loaded_at", "written_at", "file_modified_at"}
# the example zone's files the first Spark build goes without (they land
# before the second), and those that come again, as they were, before it
HELD_BACK = ["pos/transactions/LON-02_2026-03-17.csv", "pos/transaction_lines/LON-02_2026-03-17.csv"]
DELIVERED_AGAIN = ["pos/transactions/MRS-01_2026-03-16.csv", "crm/contacts/contacts_2026-03-31.csv"]


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


def spark_build(tmp: Path, landing: Path, tests: bool = True) -> dict[str, str]:
    """SPARK_SELECTION built on Spark (without its data tests: the seeds and
    models alone, quicker); each node's status."""
    only = [] if tests else ["--resource-type", "seed", "--resource-type", "model"]
    done = spark_dbt(tmp, [*SPARK_SELECTION, *only], landing=landing)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-3000:]
    results = json.loads((tmp / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"]: r["status"] for r in results}


def spark_table(warehouse: Path, schema: str, table: str) -> str:
    """A managed Spark table's Parquet files, for DuckDB's read_parquet."""
    folder = warehouse / f"{schema}.db" / table
    assert folder.is_dir(), f"no managed table {schema}.{table} under {warehouse}"
    assert any(folder.glob("*.parquet")), f"{schema}.{table} is not stored as Parquet"
    return f"read_parquet('{folder}/*.parquet')"


def rows_of(cursor: duckdb.DuckDBPyConnection, columns: list[str], root: Path) -> list[tuple]:
    """A result's rows, sorted, without the MARKERS; a landing path relative
    to its zone's root; a time with a zone as the UTC time without one
    (Spark's timestamps are instants; DuckDB's read_blob gives a zone)."""
    prefix = f"{root}/"

    def plain(value: object) -> object:
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(timezone.utc).replace(tzinfo=None)
        if isinstance(value, str) and value.startswith(prefix):
            return value[len(prefix):]
        return value

    kept = [i for i, name in enumerate(columns) if name not in MARKERS]
    return sorted((tuple(plain(row[i]) for i in kept) for row in cursor.fetchall()), key=repr)


def compare_with_duckdb(duck: duckdb.DuckDBPyConnection, duck_root: Path, warehouse: Path, spark_root: Path,
                        table: str, erased: set[str] = frozenset()) -> None:
    """A Spark staging table holds DuckDB's rows, column for column. The
    erasure runs when DuckDB publishes a build, not yet on Spark: a row only
    Spark holds must hold an erased hash (DuckDB deleted it), a row only
    DuckDB holds must be flagged is_erased (DuckDB cleared it in place)."""
    found = duck.execute(f"select * from staging.{table}")
    columns = [d[0] for d in found.description]
    types = [str(d[1]).replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMP") for d in found.description]
    expected = rows_of(found, columns, duck_root)
    read = duckdb.connect().execute(
        f"select {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} from {spark_table(warehouse, 'staging', table)}"
    )
    assert [str(d[1]) for d in read.description] == types, (table, "column types differ")
    got = rows_of(read, columns, spark_root)
    kept = [c for c in columns if c not in MARKERS]
    hashes = [i for i, c in enumerate(kept) if c.endswith("_hash") and c != "row_hash"]
    flag = kept.index("is_erased") if "is_erased" in kept else None
    only_spark = [row for row in got if row not in expected]
    only_duck = [row for row in expected if row not in got]
    assert all(any(row[i] in erased for i in hashes) for row in only_spark), (table, only_spark[:3])
    assert all(flag is not None and row[flag] for row in only_duck), (table, only_duck[:3])
    assert len(got) - len(only_spark) == len(expected) - len(only_duck)


@pytest.fixture(scope="module")
def spark_example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, str]]]:
    """The example zone on Spark: built without HELD_BACK, then again (an
    incremental build) once they have landed and DELIVERED_AGAIN came again."""
    tmp = tmp_path_factory.mktemp("spark")
    zone = copy_example(tmp / "landing")
    aside = tmp / "aside"
    for name in HELD_BACK:
        (aside / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(zone / name, aside / name)
    first = spark_build(tmp, zone, tests=False)
    for name in HELD_BACK:
        shutil.move(aside / name, zone / name)
    later = time.time() + 60
    for name in DELIVERED_AGAIN:
        os.utime(zone / name, (later, later))
    return tmp, zone, [first, spark_build(tmp, zone)]


@pytest.fixture(scope="module")
def spark_sim(sim_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulated test zone on Spark: the same models, one build (their
    data tests run on the example zone)."""
    tmp = tmp_path_factory.mktemp("spark-sim")
    spark_build(tmp, sim_dir / "landing", tests=False)
    return tmp


def test_every_node_on_spark_passes_twice(spark_example: tuple[Path, Path, list[dict[str, str]]]) -> None:
    for build, status in enumerate(spark_example[2]):
        seeds = sorted(uid.split(".")[-1] for uid in status if uid.startswith("seed."))
        assert seeds == SEEDS
        models = sorted(uid.split(".")[-1] for uid in status if uid.startswith("model."))
        assert models == sorted(SPARK_MODELS)
        if build == 0:  # the first build, models and seeds alone
            assert set(status.values()) == {"success"}, status
            continue
        singular = sorted(uid.split(".")[-1] for uid in status if uid.startswith("test.") and uid.count(".") == 2)
        assert singular == ["assert_channel_grouping", "assert_identifier_normalisation", "assert_sha256_hex_check"]
        # the nodes' data tests ran (none is left out by the selection) and passed
        assert sum(uid.startswith("test.") for uid in status) > 100
        assert set(status.values()) == {"success", "pass"}, {u: s for u, s in status.items() if s not in ("success", "pass")}


def test_the_second_build_read_only_what_came(spark_example: tuple[Path, Path, list[dict[str, str]]]) -> None:
    """Each row's loaded_at is the start of the build that read its file: the
    second build read the files that landed or came again, and no other."""
    tmp, zone, _ = spark_example
    warehouse = tmp / "spark-warehouse"
    con = duckdb.connect()
    builds = [row[0] for row in con.execute(
        f"select started_at from {spark_table(warehouse, 'main', 'journey_builds')} order by 1"
    ).fetchall()]  # fmt: skip
    assert len(builds) == 2  # the build log holds both builds, which passed

    def loaded(table: str) -> dict[str, datetime]:
        rows = con.execute(
            f"select distinct source_file, loaded_at from {spark_table(warehouse, 'staging', table)}"
        ).fetchall()
        assert len({file for file, _ in rows}) == len(rows), "a file with rows of two builds"
        return {str(Path(file).relative_to(zone)): at for file, at in rows}

    first, second = builds
    assert loaded("base_pos__transaction_rows") == {
        "pos/transactions/LON-02_2026-03-17.csv": second,  # landed
        "pos/transactions/MRS-01_2026-03-16.csv": second,  # came again
    }
    assert loaded("base_pos__transaction_line_rows") == {
        "pos/transaction_lines/LON-02_2026-03-17.csv": second,
        "pos/transaction_lines/MRS-01_2026-03-16.csv": first,
    }
    assert loaded("base_crm__contact_rows") == {"crm/contacts/contacts_2026-03-31.csv": second}
    assert set(loaded("base_crm__email_event_lines").values()) == {first}


@pytest.mark.parametrize("seed", SEEDS)
def test_each_seed_on_spark_equals_duckdb(spark_example: tuple[Path, Path, list[dict[str, str]]],
                                          example_warehouse: duckdb.DuckDBPyConnection, seed: str) -> None:
    duck = example_warehouse.execute(f"select * from reference.{seed}")
    columns = [d[0] for d in duck.description]
    expected = sorted(duck.fetchall(), key=repr)
    got = duckdb.connect().execute(
        f"select {', '.join(columns)} from {spark_table(spark_example[0] / 'spark-warehouse', 'reference', seed)}"
    )
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
    spark_example: tuple[Path, Path, list[dict[str, str]]], example_warehouse: duckdb.DuckDBPyConnection,
    table: str,
) -> None:
    tmp, zone, _ = spark_example
    erased = {row[0] for row in example_warehouse.execute(
        "select identifier_hash from intermediate.int_identity__erased_identifiers"
    ).fetchall()}  # fmt: skip
    compare_with_duckdb(example_warehouse, EXAMPLE_LANDING, tmp / "spark-warehouse", zone, table, erased)


@pytest.mark.parametrize("table", SPARK_TABLES)
def test_each_staged_table_on_spark_equals_duckdb_on_the_simulated_zone(
    spark_sim: Path, sim_dir: Path, warehouse: duckdb.DuckDBPyConnection, table: str
) -> None:
    erased = {row[0] for row in warehouse.execute(
        "select identifier_hash from intermediate.int_identity__erased_identifiers"
    ).fetchall()}  # fmt: skip
    assert erased, "the simulated zone holds an erasure"
    landing = sim_dir / "landing"
    compare_with_duckdb(warehouse, landing, spark_sim / "spark-warehouse", landing, table, erased)


def test_no_file_spark_writes_holds_the_salt(spark_example: tuple[Path, Path, list[dict[str, str]]],
                                             spark_sim: Path) -> None:
    found = [
        path for folder in (spark_example[0], spark_sim) for path in folder.rglob("*")
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
    done = spark_dbt(tmp_path, ["seed", "--select", "currency_rates"], profiles=profiles)
    assert done.returncode != 0
    assert "The hash salt is not set on the Spark session" in done.stdout


def test_an_empty_landing_root_stops_the_build_with_its_name(tmp_path: Path) -> None:
    empty = tmp_path / "empty-landing"
    empty.mkdir()
    done = spark_dbt(tmp_path, ["seed", "--select", "currency_rates"], landing=empty)
    assert done.returncode != 0
    assert f"JOURNEY_LANDING_PATH is '{empty}': no such folder, or it holds no file" in done.stdout
