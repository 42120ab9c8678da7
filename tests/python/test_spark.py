"""The spark target (issue #15): the whole project runs on Spark, through
dbt-spark's session method on local[*], and gives what DuckDB gives.

The example zone is built twice: first every seed, snapshot and model (the
Python ones through the dbt_journey plugin) without the tests, then again
with every data and unit test, an incremental build (two till files land,
two files come again with new modification times). Every table (staging,
intermediate, marts, the snapshot) equals DuckDB's, after the erasure in
staging that each engine applies once a build passes; test_spark_sim.py
does the same on the simulated test zone. A zone of broken gzip files is staged on its own.
Each build runs dbt in a process of its own (the Spark driver lives
as long as its process); the tests read Spark's managed Parquet files with
DuckDB."""

from __future__ import annotations

import gzip
import json
import math
import os
import shutil
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb
import pytest
from conftest import EXAMPLE_LANDING, SALT, UNTESTED_BUILD, copy_example
from spark_helpers import managed_tables, spark_build, spark_dbt, spark_table

from journey.simulate.config import project_root

SEEDS = sorted(path.stem for path in (project_root() / "seeds").glob("*.csv"))
SCHEMAS = ("staging", "intermediate", "marts", "snapshots")
# a file's modification time (the example zone is copied for Spark): not
# compared; nor are snapshot validity times (the time of each build) and
# dbt_scd_id (hashed from them). A build marker (loaded_at, written_at, ...)
# is compared as `<build>`: it is the start of a build on either engine
MARKERS = {"file_modified_at", "dbt_valid_from", "dbt_valid_to", "dbt_updated_at", "dbt_scd_id"}
# the rounds the identity loop of the build that labelled a node took: a
# daily build labels a part of the graph (the example zone is built twice on
# Spark, once on DuckDB)
BUILD_FACTS = {"resolution_rounds"}
# a messageId's hash, made by each engine's own hash function (DuckDB's 64
# bits, Spark's 32): not compared
ENGINE_HASHES = {"message_key", "replace_key"}
# gzipped files that cannot be read whole, in a zone of their own (DuckDB's
# handling of them is test_faults'): a gzip cut in half, a text file named
# .gz, an empty file and a file with a line over the 2 MiB line limit
BROKEN_DAY = "web/date=2026-03-22"
# the example zone's files the first Spark build goes without (they land
# before the second), and those that come again, as they were, before it
HELD_BACK = ["pos/transactions/LON-02_2026-03-17.csv", "pos/transaction_lines/LON-02_2026-03-17.csv"]
DELIVERED_AGAIN = ["pos/transactions/MRS-01_2026-03-16.csv", "crm/contacts/contacts_2026-03-31.csv"]


def build_starts(con: duckdb.DuckDBPyConnection, table: str) -> set[datetime]:
    """The starts of the builds a build log holds: the values of the build
    markers."""
    return {row[0] for row in con.execute(f"select started_at from {table}").fetchall()}


def rows_of(cursor: duckdb.DuckDBPyConnection, columns: list[str], root: Path, builds: set[datetime]) -> list[tuple]:
    """A result's rows, sorted, without the MARKERS: a landing path relative
    to its zone's root, a build marker as `<build>`, a time with a zone as
    the UTC time without one (Spark's timestamps are instants; DuckDB's
    read_blob gives a zone) and to the second, a float to 1e-6 (rounded to
    nine places here, then compared within 1e-6: compare_rows)."""
    prefix = f"{root}/"

    def plain(value: object) -> object:
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(timezone.utc).replace(tzinfo=None)
            return "<build>" if value in builds else value.replace(microsecond=0)
        if isinstance(value, float):
            return None if math.isnan(value) else round(value, 9)
        if isinstance(value, str) and value.startswith(prefix):
            return value[len(prefix):]
        return value

    kept = [i for i, name in enumerate(columns) if name not in MARKERS | ENGINE_HASHES | BUILD_FACTS]
    return sorted((tuple(plain(row[i]) for i in kept) for row in cursor.fetchall()), key=repr)


def coarse(row: tuple) -> str:
    """A row with its floats to four places: rows equal within 1e-6 share it
    (but at a rounding edge)."""
    return repr(tuple(round(value, 4) if isinstance(value, float) else value for value in row))


def same_row(left: tuple, right: tuple) -> bool:
    return len(left) == len(right) and all(
        math.isclose(a, b, rel_tol=0, abs_tol=1e-6) if isinstance(a, float) and isinstance(b, float) else a == b
        for a, b in zip(left, right, strict=True)
    )


def unmatched(rows: list[tuple], others: list[tuple]) -> list[tuple]:
    """The rows of `rows` with no equal row (floats within 1e-6) left in
    `others`, each row of `others` matching one row at most."""
    pool: dict[str, list[tuple]] = {}
    for row in others:
        pool.setdefault(coarse(row), []).append(row)
    left = []
    for row in rows:
        candidates = pool.get(coarse(row), [])
        match = next((i for i, other in enumerate(candidates) if same_row(row, other)), None)
        if match is None:
            left.append(row)
        else:
            candidates.pop(match)
    return left


def plain_sql(column: str, kind: str, root: Path, builds: set[datetime]) -> str:
    """A column as rows_of gives its values, in SQL, but for a float, which
    is rounded to six places: two floats that round alike are within 1e-6."""
    name = f'"{column}"'
    if kind == "TIMESTAMP WITH TIME ZONE":
        name, kind = f"timezone('UTC', {name})", "TIMESTAMP"
    if kind == "TIMESTAMP":
        starts = ", ".join(f"timestamp '{start}'" for start in builds if start.tzinfo is None)
        marker = f"when {name} in ({starts}) then '<build>' " if starts else ""
        return f"case {marker}else cast(date_trunc('second', {name}) as varchar) end"
    if kind in ("DOUBLE", "FLOAT"):
        return f"case when not isnan({name}) then round({name}, 6) end"
    if kind == "VARCHAR":
        prefix = f"{root}/"
        quoted = prefix.replace("'", "''")
        return f"case when starts_with({name}, '{quoted}') then substr({name}, {len(prefix) + 1}) else {name} end"
    return name


def equal_in_sql(duck: duckdb.DuckDBPyConnection, left: str, right: str) -> bool:
    """Whether two queries of plain columns (plain_sql) give the same rows,
    as many times each: `except all` both ways in DuckDB. Rows it leaves
    over (floats at a rounding edge, a row that differs) are for the
    comparison in Python (rows_of, unmatched)."""
    found = duck.execute(
        f"select count(*) from (({left} except all {right}) union all ({right} except all {left}))"
    ).fetchone()
    return found is not None and found[0] == 0


def plain_rows(rows: str, description: list, root: Path, builds: set[datetime]) -> str:
    """The compared columns of `rows` (whose columns `description` gives),
    each made plain (plain_sql)."""
    kept = [(d[0], str(d[1])) for d in description if d[0] not in MARKERS | ENGINE_HASHES | BUILD_FACTS]
    return f"select {', '.join(plain_sql(c, kind, root, builds) for c, kind in kept)} from {rows}"


def compare_with_duckdb(duck: duckdb.DuckDBPyConnection, duck_root: Path, spark: Callable[[str, str], str],
                        spark_root: Path, schema: str, table: str) -> None:
    """A Spark relation (read through `spark`, which names its Parquet
    files for DuckDB) holds DuckDB's rows, column for column and type for
    type, after the erasure in staging on both engines: in SQL first
    (equal_in_sql), then, when rows are left over, row by row in Python."""
    duck_builds = build_starts(duck, "main.journey_builds")
    spark_builds = build_starts(duckdb.connect(), spark("main", "journey_builds"))
    found = duck.execute(f"select * from {schema}.{table} limit 0")
    columns = [d[0] for d in found.description]
    types = [
        str(d[1]).replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMP") for d in found.description
        if d[0] not in ENGINE_HASHES
    ]  # fmt: skip
    spark_rows = f"(select {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} from {spark(schema, table)})"
    read = duckdb.connect().execute(f"select * from {spark_rows} limit 0")
    assert [str(d[1]) for d in read.description if d[0] not in ENGINE_HASHES] == types, (table, "column types differ")
    if equal_in_sql(
        duck, plain_rows(f"{schema}.{table}", found.description, duck_root, duck_builds),
        plain_rows(spark_rows, read.description, spark_root, spark_builds),
    ):  # fmt: skip
        return
    expected = rows_of(duck.execute(f"select * from {schema}.{table}"), columns, duck_root, duck_builds)
    got = rows_of(duckdb.connect().execute(f"select * from {spark_rows}"), columns, spark_root, spark_builds)
    kept = [c for c in columns if c not in MARKERS | ENGINE_HASHES | BUILD_FACTS]
    only_spark, only_duck = unmatched(got, expected), unmatched(expected, got)
    if table.endswith("__event_duplicates"):
        # a messageId whose 32-bit hash collides with another's on Spark is
        # a candidate there, which is then compared exactly: a line of its
        # own, not a copy, not a later receipt
        copies, later = kept.index("copies"), kept.index("is_later_receipt")
        only_spark = [row for row in only_spark if (row[copies], row[later]) != (1, False)]
    assert not only_spark and not only_duck, (table, only_spark[:3], only_duck[:3])


def spark_tables(warehouse: Path) -> list[tuple[str, str]]:
    """The project's tables on Spark, (schema, table), but dbt's work tables."""
    return managed_tables(warehouse, SCHEMAS)


def event_line(message_id: str, **extra: object) -> str:
    ts = "2026-03-22T10:00:00.000Z"
    return json.dumps({
        "messageId": message_id, "type": "page", "anonymousId": f"cookie-{message_id}", "timestamp": ts,
        "sentAt": ts, "receivedAt": ts, "context": {"page": {"url": "https://shop.example/", "path": "/"}},
        "properties": extra,
    })  # fmt: skip


def land_broken_gzip_files(day: Path) -> None:
    """The gzipped files of BROKEN_DAY."""
    day.mkdir(parents=True)
    whole = gzip.compress("".join(event_line(f"cut-{i}") + "\n" for i in range(4000)).encode())
    (day / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (day / "plain.jsonl.gz").write_text(event_line("plain-1") + "\n")
    (day / "empty.jsonl.gz").write_bytes(b"")
    long = [event_line("long-1", blob="z" * 2_200_000), event_line("after-long")]
    (day / "long.jsonl.gz").write_bytes(gzip.compress("".join(line + "\n" for line in long).encode()))


def whole_lines(path: Path) -> int:
    """The lines of a gzip file that can be decompressed up to their line
    end; independent of Spark."""
    text = zlib.decompressobj(wbits=31).decompress(path.read_bytes())
    return text.count(b"\n")


@pytest.fixture(scope="module")
def spark_example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, str]]]:
    """The example zone on Spark: built without HELD_BACK and without the
    data tests, then again with them (an incremental build) once they have
    landed and DELIVERED_AGAIN came again."""
    tmp = tmp_path_factory.mktemp("spark")
    zone = copy_example(tmp / "landing")
    aside = tmp / "aside"
    for name in HELD_BACK:
        (aside / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(zone / name, aside / name)
    first = spark_build(tmp, zone, UNTESTED_BUILD)
    for name in HELD_BACK:
        shutil.move(aside / name, zone / name)
    later = time.time() + 60
    for name in DELIVERED_AGAIN:
        os.utime(zone / name, (later, later))
    return tmp, zone, [first, spark_build(tmp, zone, ["build"])]


@pytest.fixture(scope="module")
def spark_broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A zone of BROKEN_DAY's files alone, staged on Spark."""
    tmp = tmp_path_factory.mktemp("spark-broken")
    zone = tmp / "landing"
    land_broken_gzip_files(zone / BROKEN_DAY)
    spark_build(tmp, zone, ["build", "--select", "+base_web__event_files", "--resource-type", "seed",
                            "--resource-type", "model"])  # fmt: skip
    return tmp, zone


def test_every_node_on_spark_passes_twice(spark_example: tuple[Path, Path, list[dict[str, str]]]) -> None:
    manifest = json.loads((spark_example[0] / "target" / "manifest.json").read_text())
    models = sorted(node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model")
    python = [node["name"] for node in manifest["nodes"].values() if node.get("language") == "python"]
    assert len(python) == 3  # Markov and Shapley credits, the CLV fits and predictions
    for build, status in enumerate(spark_example[2]):
        assert sorted(uid.split(".")[-1] for uid in status if uid.startswith("seed.")) == SEEDS
        assert sorted(uid.split(".")[-1] for uid in status if uid.startswith("model.")) == models
        assert [uid for uid in status if uid.startswith("snapshot.")] == ["snapshot.customer_journey.snap_ads__spend"]
        # an exposure (a dashboard) has nothing to build
        built = {uid: s for uid, s in status.items() if not uid.startswith("exposure.")}
        if build == 0:  # the first build, without the tests (conftest.UNTESTED_BUILD)
            assert set(built.values()) == {"success"}, built
            continue
        # every data and unit test ran and passed
        tests = [uid for uid in status if uid.startswith(("test.", "unit_test."))]
        assert len(tests) > 300
        assert sorted(uid for uid in tests if uid.startswith("unit_test.")) == sorted(manifest["unit_tests"])
        failed = {uid: s for uid, s in built.items() if s not in ("success", "pass")}
        assert not failed and set(built.values()) == {"success", "pass"}, failed


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
    assert set(loaded("base_web__event_files").values()) == {first}


def test_gzip_files_that_cannot_be_read_whole_are_accounted_for_on_spark(spark_broken: tuple[Path, Path]) -> None:
    """As on DuckDB (test_faults), but for a gzip cut short: Spark's reader
    stops at the last whole line, so the cut line is part of the rest of the
    file that is lost, not a line of its own; an empty file is not listed."""
    tmp, zone = spark_broken
    rows: dict[str, list[str | None]] = {}
    for file, reason in duckdb.connect().execute(
        "select regexp_extract(source_file, '[^/]+$'), line_quarantine_reason"
        f" from {spark_table(tmp / 'spark-warehouse', 'staging', 'base_web__event_lines')}"
        f" where source_file like '%/{BROKEN_DAY}/%' and row_hash is not null"
        " union all select regexp_extract(source_file, '[^/]+$'), unread_reason"
        f" from {spark_table(tmp / 'spark-warehouse', 'staging', 'base_web__event_files')}"
        f" where source_file like '%/{BROKEN_DAY}/%' and unread_reason is not null"
    ).fetchall():
        rows.setdefault(file, []).append(reason)
    partly = "gzip file only partly readable (cut short, or a line over 2 MB): the rest of it is lost"
    cut = whole_lines(zone / BROKEN_DAY / "cut.jsonl.gz")
    assert 1000 < cut < 3000
    assert sorted(rows["cut.jsonl.gz"], key=str) == sorted([None] * cut + [partly], key=str)
    assert rows["plain.jsonl.gz"] == ["file is not gzip-compressed (named .gz)"]
    assert "empty.jsonl.gz" not in rows  # holds nothing, owes nothing
    assert sorted(rows["long.jsonl.gz"], key=str) == sorted([None, partly], key=str)


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


# the staging tables an erasure clears and flags in place (erased_in_place_tables)
ERASED_IN_PLACE = ("base_web__event_lines", "base_app__event_lines", "base_crm__email_event_lines",
                   "base_pos__transaction_rows", "base_pos__transactions", "base_crm__contact_rows")


def erasure_applied(con: duckdb.DuckDBPyConnection, table: Callable[[str, str], str] = "{}.{}".format
                    ) -> tuple[int, int]:
    """What an erasure in staging did in a warehouse whose relations `table`
    names: the erased identifiers it applied, and the rows it cleared and
    flagged in the tables a daily build keeps."""
    applied = con.execute(f"select count(*) from {table('main', 'journey_erased_identifiers_applied')}").fetchone()
    flagged = con.execute(" + ".join(
        f"(select count(*) from {table('staging', name)} where is_erased)" for name in ERASED_IN_PLACE
    ).join(["select ", ""])).fetchone()  # fmt: skip
    assert applied is not None and flagged is not None
    return applied[0], flagged[0]


def test_every_table_on_spark_equals_duckdb_on_the_example_zone(
    spark_example: tuple[Path, Path, list[dict[str, str]]], example_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    tmp, zone, _ = spark_example
    warehouse = tmp / "spark-warehouse"
    tables = spark_tables(warehouse)
    assert len(tables) > 60 and ("marts", "fct_attribution") in tables and ("marts", "mart_customer_value") in tables
    # the erasure in staging ran on Spark too, and did what it did on DuckDB
    applied = erasure_applied(duckdb.connect(), lambda schema, table: spark_table(warehouse, schema, table))
    assert applied == erasure_applied(example_warehouse) and applied[0] > 0 and applied[1] > 0
    for schema, table in tables:
        compare_with_duckdb(
            example_warehouse, EXAMPLE_LANDING, lambda s, t: spark_table(warehouse, s, t), zone, schema, table
        )


def test_no_file_spark_writes_holds_the_salt(spark_example: tuple[Path, Path, list[dict[str, str]]],
                                             spark_broken: tuple[Path, Path]) -> None:
    found = [
        path for folder in (spark_example[0], spark_broken[0]) for path in folder.rglob("*")
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


def test_a_relative_landing_root_stops_a_spark_build(tmp_path: Path) -> None:
    """Spark names the files it reads by their absolute paths, which a
    relative root would not match: stopped with a message (`make build`
    makes the default root absolute)."""
    done = spark_dbt(tmp_path, ["seed", "--select", "currency_rates"], landing=Path("data/landing"))
    assert done.returncode != 0
    assert "JOURNEY_LANDING_PATH is 'data/landing', a relative path" in done.stdout
