"""Person ids are stable across rebuilds and unrelated data; a merge keeps the
older id and records the retired one in map_person_ids."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import EXAMPLE_LANDING, SALT, _build
from helpers import identifier_hash

from journey.warehouse import Workspace


def _event(message_id: str, anonymous_id: str, ts: str, **extra: object) -> dict:
    event = {
        "messageId": message_id,
        "type": "page",
        "anonymousId": anonymous_id,
        "userId": None,
        "timestamp": ts,
        "sentAt": ts,
        "receivedAt": ts,
        "context": {"page": {"url": "https://shop.example/", "path": "/", "referrer": ""}},
        "properties": {},
    }
    event.update(extra)
    return event


def _add_web_file(landing: Path, day: str, events: list[dict]) -> None:
    folder = landing / "web" / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "part-0.jsonl.gz", "wt") as handle:
        handle.writelines(json.dumps(e) + "\n" for e in events)


def _person_of(db: Path, identifier_type: str, value: str) -> str | None:
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute(
        "select person_id from marts.bridge_person_identifiers "
        "where identifier_type = ? and identifier_hash = ?",
        [identifier_type, identifier_hash(SALT, identifier_type, value)],
    ).fetchone()
    con.close()
    return row[0] if row else None


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str | None]]:
    root = tmp_path_factory.mktemp("stable")
    landing = root / "landing"
    shutil.copytree(EXAMPLE_LANDING, landing)
    workspace = Workspace(landing=landing, duckdb=root / "w.duckdb", salt=SALT)
    watched = {
        "sam": ("user_id", "u-10442"),
        "guest77": ("email", "guest77@example.co.uk"),
        "newcomer": ("anonymous_id", "cookie-newcomer"),
    }
    out: dict[str, dict[str, str | None]] = {}

    _build(workspace)
    out["first"] = {k: _person_of(workspace.duckdb, *v) for k, v in watched.items()}
    _build(workspace)
    out["rebuild"] = {k: _person_of(workspace.duckdb, *v) for k, v in watched.items()}
    # unrelated data: a newcomer browses
    _add_web_file(
        landing, "2026-03-25",
        [_event("t-1", "cookie-newcomer", "2026-03-25T10:00:00.000Z")],
    )  # fmt: skip
    _build(workspace)
    out["unrelated"] = {k: _person_of(workspace.duckdb, *v) for k, v in watched.items()}
    # the newcomer subscribes to the newsletter with guest77's address: merge
    _add_web_file(
        landing, "2026-03-26",
        [_event("t-2", "cookie-newcomer", "2026-03-26T10:00:00.000Z", type="identify",
                traits={"email": "Guest77@Example.co.uk"})],
    )  # fmt: skip
    _build(workspace)
    out["merged"] = {k: _person_of(workspace.duckdb, *v) for k, v in watched.items()}
    con = duckdb.connect(str(workspace.duckdb), read_only=True)
    out["map"] = dict(
        con.execute("select retired_person_id, person_id from marts.map_person_ids").fetchall()
    )
    con.close()
    return out


def test_ids_survive_a_rebuild(builds: dict) -> None:
    assert builds["first"]["sam"] is not None
    assert builds["rebuild"] == builds["first"]


def test_ids_survive_unrelated_data(builds: dict) -> None:
    assert builds["unrelated"]["sam"] == builds["first"]["sam"]
    assert builds["unrelated"]["guest77"] == builds["first"]["guest77"]
    assert builds["unrelated"]["newcomer"] is not None


def test_merge_keeps_the_older_id_and_maps_the_retired_one(builds: dict) -> None:
    survivor = builds["first"]["guest77"]  # seen on 2026-03-17, before the newcomer
    retired = builds["unrelated"]["newcomer"]
    assert builds["merged"]["guest77"] == survivor
    assert builds["merged"]["newcomer"] == survivor
    assert builds["merged"]["sam"] == builds["first"]["sam"]
    assert builds["map"] == {retired: survivor}


def test_two_accounts_joined_through_a_chain_are_split(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """u-20001 on a cookie; that cookie signs up to the newsletter with an
    address that account u-20002 uses on another cookie. Each identifier saw
    one account only, so no guardrail rejects it, but the chain would make one
    person of two accounts: the cookie-to-address edge is cut instead."""
    root = tmp_path_factory.mktemp("split")
    landing = root / "landing"
    shutil.copytree(EXAMPLE_LANDING, landing)
    shared_email = "shared.split@example.org"
    _add_web_file(
        landing, "2026-03-27",
        [
            _event("s-1", "cookie-split", "2026-03-27T10:00:00.000Z", userId="u-20001"),
            _event("s-2", "cookie-split", "2026-03-27T10:05:00.000Z", type="identify",
                   traits={"email": shared_email}),
            _event("s-3", "cookie-other", "2026-03-27T11:00:00.000Z", type="identify",
                   userId="u-20002", traits={"email": shared_email}),
        ],
    )  # fmt: skip
    workspace = Workspace(landing=landing, duckdb=root / "w.duckdb", salt=SALT)
    _build(workspace)  # fails on any warning, such as two account ids in one person
    first = _person_of(workspace.duckdb, "user_id", "u-20001")
    second = _person_of(workspace.duckdb, "user_id", "u-20002")
    assert first and second and first != second
    assert _person_of(workspace.duckdb, "anonymous_id", "cookie-split") == first
    assert _person_of(workspace.duckdb, "email", shared_email) == second
    con = duckdb.connect(str(workspace.duckdb), read_only=True)
    cut = con.execute(
        "select count(*) from marts.rpt_person_identity_evidence where edge_status = 'cut'"
    ).fetchone()[0]
    con.close()
    assert cut == 1
