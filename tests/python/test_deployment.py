"""One deployment's life, built once: the shared example zone taken through
the builds a real deployment goes through, with the files of each day added
in turn (a newcomer, a lines file before its transactions, a merge).

Serving (CONTRACT.md, section 3): BI readers hold JOURNEY_DUCKDB_PATH open
while a build runs; a build replaces it whole once it has passed; a killed
build leaves the last good warehouse served; a served file without its build
file carries its history over; the served file holds the marts, the reference
tables and that history, equal to the build file's. Person ids: stable across rebuilds and unrelated
data; a merge keeps the older id and maps the retired one; two accounts
chained through a shared address stay two people."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import SALT, _build, copy_example
from helpers import identifier_hash

from journey.serving import build_path, next_path, working_paths
from journey.simulate.config import project_root
from journey.warehouse import Workspace

SESSIONS = "select count(*) from marts.fct_sessions"
WATCHED = {
    "sam": ("user_id", "u-10442"),
    "guest77": ("email", "guest77@example.co.uk"),
    "newcomer": ("anonymous_id", "cookie-newcomer"),
}
SHARED_EMAIL = "shared.split@example.org"
TILL_HEADERS = {
    "transactions": ["transaction_id", "store_id", "occurred_at", "loyalty_card_id", "receipt_email",
                     "total_amount", "currency", "payment_type", "is_return"],
    "transaction_lines": ["transaction_id", "line_no", "product_id", "quantity", "unit_price"],
}  # fmt: skip

# BI tools in other processes: one holds a connection open for the whole build
# (its answers must never change); another opens a new connection and closes
# it again and again (every open must succeed and see the old or the new
# build). Two processes, because DuckDB hands a process that already holds the
# file the database it holds.
READER = """
import json, os, sys, time, duckdb
mode, served, stop, out = sys.argv[1:5]
held = duckdb.connect(served, read_only=True) if mode == 'hold' else None
answers, errors = [], []
while not os.path.exists(stop):
    try:
        con = held or duckdb.connect(served, read_only=True)
        answers.append(con.execute({query!r}).fetchone()[0])
        if con is not held:
            con.close()
    except Exception as exc:
        errors.append(str(exc))
    time.sleep(0.05)
json.dump({{'answers': answers, 'errors': errors}}, open(out, 'w'))
""".format(query=SESSIONS)


def _event(message_id: str, anonymous_id: str, ts: str, **extra: object) -> dict:
    event = {
        "messageId": message_id, "type": "page", "anonymousId": anonymous_id, "userId": None,
        "timestamp": ts, "sentAt": ts, "receivedAt": ts,
        "context": {"page": {"url": "https://shop.example/", "path": "/", "referrer": ""}},
        "properties": {},
    }  # fmt: skip
    event.update(extra)
    return event


def _add_web_file(landing: Path, day: str, events: list[dict]) -> None:
    folder = landing / "web" / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "part-0.jsonl.gz", "wt") as handle:
        handle.writelines(json.dumps(e) + "\n" for e in events)


def _add_till_file(landing: Path, entity: str, row: list[str]) -> None:
    with (landing / "pos" / entity / "MRS-01_2026-03-25.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TILL_HEADERS[entity])
        writer.writerow(row)


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _person_of(db: Path, identifier_type: str, value: str) -> str | None:
    rows = _query(
        db,
        "select person_id from marts.bridge_person_identifiers "
        "where identifier_type = ? and identifier_hash = ?",
        [identifier_type, identifier_hash(SALT, identifier_type, value)],
    )
    return rows[0][0] if rows else None


def _persons(db: Path) -> dict[str, str | None]:
    return {name: _person_of(db, *key) for name, key in WATCHED.items()}


def _late_line(db: Path) -> tuple:
    return _query(
        build_path(db),
        "select quarantine_reason, (select count(*) from staging.stg_pos__transaction_lines "
        "where transaction_id = 'MRS-01-LATE') from staging.base_pos__transaction_lines "
        "where transaction_id = 'MRS-01-LATE'",
    )[0]


def _sessions(db: Path) -> int:
    return _query(db, SESSIONS)[0][0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build_with_readers(zone: Workspace, workdir: Path) -> dict:
    """A build while one reader holds the served file and another opens it
    every 50 ms; what each saw."""
    stop = workdir / "stop"
    readers = {
        mode: subprocess.Popen(
            [sys.executable, "-c", READER, mode, str(zone.duckdb), str(stop), str(workdir / mode)]
        )
        for mode in ("hold", "open")
    }
    try:
        time.sleep(1.0)
        _build(zone)
        time.sleep(1.0)
    finally:
        stop.touch()
        for reader in readers.values():
            reader.wait(timeout=60)
    return {mode: json.loads((workdir / mode).read_text()) for mode in readers}


def _killed_build(zone: Workspace) -> dict:
    """`dbt build` in its own process, SIGKILLed when it starts the marts."""
    root = project_root()
    env = {**os.environ, **zone.env(), "DBT_PROFILES_DIR": str(root)}
    target = zone.duckdb.parent / "target-killed"
    build = subprocess.Popen(
        [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(root),
         "--target-path", str(target), "--log-path", str(target / "logs")],
        env=env, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    killed_at = None
    assert build.stdout is not None
    for line in build.stdout:
        if "START sql table model journey_served.marts." in line:
            os.killpg(build.pid, signal.SIGKILL)
            killed_at = line.strip()
            break
    build.wait(timeout=120)
    return {"killed_at": killed_at, "returncode": build.returncode}


@pytest.fixture(scope="module")
def life(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("deployment")
    landing = copy_example(root / "landing")
    zone = Workspace(landing=landing, duckdb=root / "served.duckdb", salt=SALT)
    seen: dict = {}

    # day 1: the example, and two accounts chained through a shared address:
    # u-20001 on a cookie that signs up to the newsletter with an address
    # account u-20002 uses on another cookie
    _add_web_file(landing, "2026-03-27", [
        _event("s-1", "cookie-split", "2026-03-27T10:00:00.000Z", userId="u-20001"),
        _event("s-2", "cookie-split", "2026-03-27T10:05:00.000Z", type="identify",
               traits={"email": SHARED_EMAIL}),
        _event("s-3", "cookie-other", "2026-03-27T11:00:00.000Z", type="identify",
               userId="u-20002", traits={"email": SHARED_EMAIL}),
    ])  # fmt: skip
    _build(zone)  # fails on any warning, such as two account ids in one person
    seen["first"] = _persons(zone.duckdb)
    seen["split"] = {
        "accounts": [_person_of(zone.duckdb, "user_id", u) for u in ("u-20001", "u-20002")],
        "cookie": _person_of(zone.duckdb, "anonymous_id", "cookie-split"),
        "email": _person_of(zone.duckdb, "email", SHARED_EMAIL),
        "cut": _query(zone.duckdb, "select count(*) from marts.rpt_person_identity_evidence "
                                   "where edge_status = 'cut'")[0][0],
    }  # fmt: skip

    # the working files are lost (or the warehouse predates them): the next
    # build starts from the served file
    assignments = "select count(*) from intermediate.int_identity__person_assignments"
    seen["assignments"] = _query(zone.duckdb, assignments)[0][0]
    assigned_before = _query(zone.duckdb, "select max(first_assigned_at) from intermediate.int_identity__person_assignments")[0][0]
    for working in working_paths(zone.duckdb):
        working.unlink()
    _build(zone)
    seen["carried over"] = _query(zone.duckdb, assignments + " where first_assigned_at <= ?", [assigned_before])[0][0]
    seen["rebuild"] = _persons(zone.duckdb)

    # day 2, built while BI readers hold the file: a newcomer browses (one more
    # session), and a till's lines file arrives before its transactions file
    seen["sessions before readers"] = _sessions(zone.duckdb)
    _add_web_file(landing, "2026-03-25", [_event("t-1", "cookie-newcomer", "2026-03-25T10:00:00.000Z")])
    _add_till_file(landing, "transaction_lines", ["MRS-01-LATE", "1", "coaster", "1", "5.00"])
    seen["readers"] = _build_with_readers(zone, root)
    seen["sessions after readers"] = _sessions(zone.duckdb)
    seen["unrelated"] = _persons(zone.duckdb)
    seen["late line"] = {"before": _late_line(zone.duckdb)}

    # day 3: the newcomer subscribes with guest77's address (a merge) and the
    # transaction arrives; the first build is killed in the marts, the next
    # recovers
    _add_web_file(landing, "2026-03-26", [
        _event("t-2", "cookie-newcomer", "2026-03-26T10:00:00.000Z", type="identify",
               traits={"email": "Guest77@Example.co.uk"}),
    ])  # fmt: skip
    _add_till_file(landing, "transactions",
                   ["MRS-01-LATE", "MRS-01", "2026-03-25 10:00:00", "", "", "5.00", "EUR", "card", "false"])
    digest = _digest(zone.duckdb)
    seen["killed"] = _killed_build(zone)
    seen["killed"] |= {
        "served unchanged": _digest(zone.duckdb) == digest,
        "sessions": _sessions(zone.duckdb),
        "publish leftovers": [p.name for p in root.glob("served.duckdb.publish-*")],
    }
    _build(zone)
    seen["sessions after recovery"] = _sessions(zone.duckdb)
    seen["merged"] = _persons(zone.duckdb)
    seen["map"] = dict(_query(zone.duckdb, "select retired_person_id, person_id from marts.map_person_ids"))
    seen["late line"]["after"] = _late_line(zone.duckdb)
    return seen


def test_a_reader_holds_the_served_file_across_a_build(life: dict) -> None:
    before = life["sessions before readers"]
    held, opened = life["readers"]["hold"], life["readers"]["open"]
    print(f"readers: {len(held['answers'])} reads on a held connection, "
          f"{len(opened['answers'])} new connections, "
          f"{len(held['errors']) + len(opened['errors'])} errors")  # fmt: skip
    assert held["errors"] == [] and opened["errors"] == []
    assert len(held["answers"]) > 10 and set(held["answers"]) == {before}
    assert len(opened["answers"]) > 10 and set(opened["answers"]) == {before, before + 1}
    assert opened["answers"] == sorted(opened["answers"])  # old, then new, never back
    assert opened["answers"][-1] == before + 1 == life["sessions after readers"]


def test_a_killed_build_leaves_the_last_good_warehouse_served(life: dict) -> None:
    killed = life["killed"]
    assert killed["killed_at"], "the build ended before it reached the marts"
    assert killed["returncode"] == -signal.SIGKILL
    # the served file is the last good build, byte for byte, and opens
    assert killed["served unchanged"] and killed["sessions"] == life["sessions after readers"]
    assert killed["publish leftovers"] == []
    # the next build recovers from the killed one's half-written build file
    # (the merge's identify call is the newcomer's session of the next day)
    assert life["sessions after recovery"] == life["sessions after readers"] + 1


def test_a_served_file_without_its_build_file_carries_its_history_over(life: dict) -> None:
    """The history no landing file gives again (person assignments,
    map_person_ids, snapshots), which the served file holds, survives a build
    that starts from the served file; the other tables are built again from
    every file (the persons are those of the first build)."""
    assert life["assignments"] > 0 and life["carried over"] == life["assignments"]


def test_ids_survive_a_rebuild(life: dict) -> None:
    assert life["first"]["sam"] is not None
    assert life["rebuild"] == life["first"]


def test_ids_survive_unrelated_data(life: dict) -> None:
    assert life["unrelated"]["sam"] == life["first"]["sam"]
    assert life["unrelated"]["guest77"] == life["first"]["guest77"]
    assert life["unrelated"]["newcomer"] is not None


def test_merge_keeps_the_older_id_and_maps_the_retired_one(life: dict) -> None:
    survivor = life["first"]["guest77"]  # seen on 2026-03-17, before the newcomer
    retired = life["unrelated"]["newcomer"]
    assert life["merged"]["guest77"] == survivor
    assert life["merged"]["newcomer"] == survivor
    assert life["merged"]["sam"] == life["first"]["sam"]
    assert life["map"] == {retired: survivor}


def test_a_till_line_is_staged_once_its_transaction_arrives(life: dict) -> None:
    assert life["late line"] == {
        "before": ("waiting for its transaction (no till file holds it yet)", 0),
        "after": (None, 1),
    }


def test_two_accounts_joined_through_a_chain_are_split(life: dict) -> None:
    """Each identifier saw one account only, so no guardrail rejects it, but
    the chain would make one person of two accounts: the cookie-to-address
    edge is cut instead."""
    first, second = life["split"]["accounts"]
    assert first and second and first != second
    assert life["split"]["cookie"] == first
    assert life["split"]["email"] == second
    assert life["split"]["cut"] == 1


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> set[tuple[str, str]]:
    return set(con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = ?", [catalog]
    ).fetchall())  # fmt: skip


def _comments(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[tuple]:
    return con.execute(
        "select null, comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?"
        " union all (select column_name, comment from duckdb_columns()"
        " where database_name = ? and schema_name = ? and table_name = ? order by column_index)",
        [catalog, schema, table] * 2,
    ).fetchall()


def test_the_served_file_holds_the_marts_the_reference_and_the_history(sim_build: tuple) -> None:
    """The served file holds the contract's schemas (marts, reference) and the
    history no landing file gives again (the snapshots and the person id
    assignments), each table equal to the next served file's, where dbt built
    it, with its descriptions, and nothing else: staging and the other
    intermediate tables stay in the build file, which holds no served
    relation."""
    served = sim_build[0].duckdb
    con = duckdb.connect()
    con.execute(f"attach '{served}' as served (read_only)")
    con.execute(f"attach '{next_path(served)}' as built (read_only)")
    con.execute(f"attach '{build_path(served)}' as working (read_only)")
    built = _relations(con, "built")
    working = _relations(con, "working")
    expected = {
        (schema, table) for schema, table in built if schema in ("marts", "reference", "snapshots")
    } | {("intermediate", "int_identity__person_assignments")}
    assert {schema for schema, _ in working} >= {"staging", "intermediate"}
    assert not built & working
    assert not {schema for schema, _ in working} & {"marts", "reference", "snapshots"}
    assert _relations(con, "served") == expected == built
    assert len([1 for schema, _ in expected if schema == "marts"]) > 20
    unequal = {}
    for schema, table in sorted(expected):
        a, b = f'served."{schema}"."{table}"', f'built."{schema}"."{table}"'
        counts = con.execute(
            f"select (select count(*) from {a}), (select count(*) from {b}),"
            f" (select count(*) from (select * from {a} except all select * from {b}))"
        ).fetchone()
        types = [con.execute(f"select column_name, column_type from (describe {t})").fetchall() for t in (a, b)]
        if counts[0] != counts[1] or counts[2] or types[0] != types[1]:
            unequal[table] = (counts, types[0] == types[1])
        if _comments(con, "served", schema, table) != _comments(con, "built", schema, table):
            unequal[table] = "descriptions differ"
    assert unequal == {}
    described = con.execute(
        "select count(*) from duckdb_columns() where database_name = 'served' and comment is not null"
    ).fetchone()[0]
    assert described > 200
