"""The hash salt is a secret: it reaches DuckDB through the connection (the
journey.serving plugin), so no file that a build or the docs write holds it."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import duckdb
from conftest import EXAMPLE_LANDING, _build
from helpers import identifier_hash

from journey.simulate.config import project_root
from journey.warehouse import Workspace, run_dbt

SKIPPED = {".git", ".venv", "node_modules", ".evidence"}


def _written_files(roots: list[Path], since: float) -> list[Path]:
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if SKIPPED.intersection(path.parts) or not path.is_file():
                continue
            if root != roots[0] and path.stat().st_mtime < since:
                continue
            found.append(path)
    return found


def test_no_written_file_holds_the_salt(tmp_path: Path) -> None:
    salt = "salt-" + secrets.token_hex(12)
    start = time.time() - 1
    workspace = Workspace(
        landing=EXAMPLE_LANDING, duckdb=tmp_path / "w.duckdb", salt=salt, target=tmp_path / "target"
    )
    _build(workspace)
    assert run_dbt(workspace, ["docs", "generate", "--static"]).success
    # the salt did reach the database: Sam's account hashes with it
    con = duckdb.connect(str(workspace.duckdb), read_only=True)
    linked = con.execute(
        "select count(*) from marts.bridge_person_identifiers "
        "where identifier_type = 'user_id' and identifier_hash = ?",
        [identifier_hash(salt, "user_id", "u-10442")],
    ).fetchone()[0]
    con.close()
    assert linked == 1
    files = _written_files([tmp_path, project_root()], start)
    assert len(files) > 50 and any(p.name == "static_index.html" for p in files)
    assert any(p.name == "dbt.log" for p in files) and any(p.name == "manifest.json" for p in files)
    holding = [str(p) for p in files if salt.encode() in p.read_bytes()]
    assert holding == []
