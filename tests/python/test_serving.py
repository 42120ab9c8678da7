"""Serving (CONTRACT.md, section 3): BI readers hold JOURNEY_DUCKDB_PATH open
while builds run; a build replaces it whole once it has passed, and a killed
build leaves the last good warehouse served."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLE_LANDING, SALT, _build
from test_person_ids import _add_web_file, _event

from journey.serving import build_path
from journey.simulate.config import project_root
from journey.warehouse import Workspace

SESSIONS = "select count(*) from marts.fct_sessions"

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


def _sessions(served: Path) -> int:
    con = duckdb.connect(str(served), read_only=True)
    try:
        return con.execute(SESSIONS).fetchone()[0]
    finally:
        con.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """One deployment that the tests take through its life in turn: each starts
    from the served warehouse the one before left and adds its own day."""
    root = tmp_path_factory.mktemp("serving")
    landing = root / "landing"
    shutil.copytree(EXAMPLE_LANDING, landing)
    workspace = Workspace(landing=landing, duckdb=root / "served.duckdb", salt=SALT)
    _build(workspace)
    return workspace


def test_a_reader_holds_the_served_file_across_a_build(zone: Workspace, tmp_path: Path) -> None:
    before = _sessions(zone.duckdb)
    stop = tmp_path / "stop"
    readers = {
        mode: subprocess.Popen(
            [sys.executable, "-c", READER, mode, str(zone.duckdb), str(stop), str(tmp_path / mode)]
        )
        for mode in ("hold", "open")
    }
    try:
        time.sleep(1.0)
        # a newcomer's visit: one more session in the next build
        _add_web_file(
            zone.landing, "2026-03-28", [_event("r-1", "cookie-reader", "2026-03-28T10:00:00.000Z")]
        )
        _build(zone)
        time.sleep(1.0)
    finally:
        stop.touch()
        for reader in readers.values():
            reader.wait(timeout=60)
    held, opened = (json.loads((tmp_path / mode).read_text()) for mode in ("hold", "open"))
    print(f"readers: {len(held['answers'])} reads on a held connection, "
          f"{len(opened['answers'])} new connections, "
          f"{len(held['errors']) + len(opened['errors'])} errors")  # fmt: skip
    assert held["errors"] == [] and opened["errors"] == []
    assert len(held["answers"]) > 10 and set(held["answers"]) == {before}
    assert len(opened["answers"]) > 10 and set(opened["answers"]) == {before, before + 1}
    assert opened["answers"] == sorted(opened["answers"])  # old, then new, never back
    assert opened["answers"][-1] == before + 1
    assert _sessions(zone.duckdb) == before + 1


def test_a_killed_build_leaves_the_last_good_warehouse_served(zone: Workspace) -> None:
    before = _sessions(zone.duckdb)
    digest = _digest(zone.duckdb)
    _add_web_file(
        zone.landing, "2026-03-29", [_event("k-1", "cookie-killed", "2026-03-29T10:00:00.000Z")]
    )
    root = project_root()
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, **zone.env(), "DBT_PROFILES_DIR": str(root)}
    target = zone.duckdb.parent / "target-killed"
    build = subprocess.Popen(
        [str(dbt), "build", "--project-dir", str(root), "--target-path", str(target),
         "--log-path", str(target / "logs")],
        env=env, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    killed_at = None
    assert build.stdout is not None
    for line in build.stdout:
        if "START sql table model marts." in line:
            os.killpg(build.pid, signal.SIGKILL)
            killed_at = line.strip()
            break
    build.wait(timeout=120)
    assert killed_at, "the build ended before it reached the marts"
    assert build.returncode == -signal.SIGKILL
    # the served file is the last good build, byte for byte, and opens
    assert _digest(zone.duckdb) == digest
    assert _sessions(zone.duckdb) == before
    assert not list(zone.duckdb.parent.glob("served.duckdb.publish-*"))
    # the next build recovers from the killed one's half-written build file
    _build(zone)
    assert _sessions(zone.duckdb) == before + 1


def test_a_served_file_without_its_build_file_carries_its_state_over(zone: Workspace) -> None:
    """A warehouse served before the build file existed (or whose build file
    was deleted): the next build starts from it, so the state that lasts from
    build to build (person assignments, map_person_ids, snapshots) survives."""
    con = duckdb.connect(str(zone.duckdb), read_only=True)
    assignments = con.execute(
        "select count(*) from intermediate.int_identity__person_assignments"
    ).fetchone()[0]
    con.close()
    build_path(zone.duckdb).unlink()
    _build(zone)
    con = duckdb.connect(str(zone.duckdb), read_only=True)
    first_assigned = con.execute(
        "select count(*) from intermediate.int_identity__person_assignments "
        "where first_assigned_at < assigned_at"
    ).fetchone()[0]
    con.close()
    assert assignments > 0 and first_assigned == assignments
