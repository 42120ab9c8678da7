"""The simulator is deterministic and produces every behaviour later issues test."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import duckdb
import pytest

from journey.simulate import SimConfig, simulate


def _digest(root: Path) -> dict[str, str]:
    """Content digest per file (gzip headers aside)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            out[str(path.relative_to(root))] = hashlib.sha256(data).hexdigest()
    return out


def _bytes(root: Path) -> dict[str, str]:
    """Digest of every file's bytes, gzip headers included."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# four blocks of 100 customers, then the staff block
SMALL = SimConfig(persons=400, days=21, seed=11, block_persons=100)


@pytest.fixture(scope="module")
def small_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict]:
    a, b, c = (tmp_path_factory.mktemp(n) for n in ("a", "b", "c"))
    simulate(SMALL, a, progress=False)
    simulate(SMALL, b, progress=False)
    simulate(SimConfig(persons=400, days=21, seed=12, block_persons=100), c, progress=False)
    return _digest(a), _digest(b), _digest(c)


def test_same_files_whatever_the_chunk(tmp_path: Path) -> None:
    """Blocks generated one at a time, or three at a time, or all at once
    (one chunk): byte for byte the same landing zone and truth."""
    runs = []
    for chunk in (100, 300, 10_000):
        out = tmp_path / f"chunk{chunk}"
        simulate(SMALL, out, progress=False, chunk_persons=chunk)
        runs.append(_bytes(out))
    assert len(runs[0]) > 50
    assert any(name.startswith("truth/") for name in runs[0])
    assert runs[0] == runs[1] == runs[2]


def test_same_seed_same_files(small_runs: tuple[dict, dict, dict]) -> None:
    first, second, _ = small_runs
    assert len(first) > 50
    assert first == second


def test_other_seed_other_files(small_runs: tuple[dict, dict, dict]) -> None:
    first, _, other = small_runs
    assert first != other


def _q(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]


def test_every_persona_occurs(truth: duckdb.DuckDBPyConnection) -> None:
    personas = {r[0] for r in truth.execute("select distinct persona from truth_persons").fetchall()}
    assert personas == {
        "impulse", "researcher", "store_only", "window_shopper", "loyal", "regular", "internal"
    }


def test_impulse_buyers_convert_fast_and_researchers_slowly(truth: duckdb.DuckDBPyConnection) -> None:
    minutes = truth.execute(
        """
        with first_touch as (
            select person_id, min(started_at) as at from truth_sessions group by 1
        ), first_buy as (
            select person_id, min(converted_at) as at from truth_conversions
            where sales_channel <> 'store' group by 1
        )
        select p.persona, median(date_diff('minute', t.at, b.at))
        from first_buy as b
        inner join first_touch as t using (person_id)
        inner join truth_persons as p using (person_id)
        group by 1
        """
    ).fetchall()
    median = dict(minutes)
    assert median["impulse"] <= 15
    assert median["researcher"] >= 7 * 24 * 60


def test_window_shoppers_never_buy(truth: duckdb.DuckDBPyConnection) -> None:
    assert _q(
        truth,
        "select count(*) from truth_conversions inner join truth_persons using (person_id) "
        "where persona = 'window_shopper' and sales_channel <> 'store'",
    ) == 0


def test_identity_dirt_is_present(truth: duckdb.DuckDBPyConnection) -> None:
    kinds = dict(
        truth.execute(
            "select identifier_type, count(*) from truth_identifiers group by 1"
        ).fetchall()
    )
    for kind in ("anonymous_id", "install_id", "user_id", "email", "phone", "loyalty_card",
                 "contact_id", "esp_subscriber_id", "device_id", "advertising_id"):
        assert kinds.get(kind, 0) > 0, kind
    assert _q(truth, "select count(*) from truth_identifiers where is_shared "
                     "and identifier_type = 'anonymous_id'") >= 1  # family tablets
    assert _q(truth, "select count(*) from truth_identifiers where is_shared "
                     "and identifier_type = 'loyalty_card'") == 1  # the employee's card
    assert _q(truth, "select count(*) from truth_identifiers where is_junk "
                     "and identifier_value = '00000000-0000-0000-0000-000000000000'") == 1
    assert _q(truth, "select count(*) from truth_identifiers where is_test") == 2
    # Safari's 7-day cap and cleared cookies: many people have several cookies
    assert _q(truth, "select count(*) from (select person_id from truth_identifiers "
                     "where identifier_type = 'anonymous_id' and not is_shared "
                     "group by 1 having count(*) >= 3)") > 100
    resolvable = _q(truth, "select avg(is_resolvable::int) from truth_identifiers")
    assert 0.2 < resolvable < 0.95


def test_landing_dirt_is_present(sim_dir: Path) -> None:
    con = duckdb.connect()
    # valid lines as JSON, the rest as null, so that extraction never fails
    lines = (
        "(select case when json_valid(raw) then raw end as line, raw from read_csv("
        "'{}/{}/*/*.jsonl.gz', columns = {{'raw': 'VARCHAR'}}, header = false, "
        "delim = chr(1), quote = '', escape = '', auto_detect = false))"
    )
    app = lines.format(sim_dir / "landing", "app")
    web = lines.format(sim_dir / "landing", "web")
    late_days = _q(
        con,
        "select max(delay) / 24 from (select min(date_diff('hour', "
        "(line->>'$.timestamp')::timestamptz, (line->>'$.receivedAt')::timestamptz)) as delay "
        f"from {app} where line is not null group by line->>'$.messageId')",
    )
    assert 5 <= late_days <= 10
    assert _q(con, f"select count(line) - count(distinct line->>'$.messageId') from {web}") > 0
    assert _q(con, f"select count(*) from {web} where line is null") > 0
    assert _q(con, f"select count(*) from {web} where line->>'$.anonymousId' in "
                   "('undefined', '', 'null')") > 0
    assert _q(con, f"select count(*) from {web} where line->>'$.event' = 'Wishlist Shared'") > 0
    assert _q(con, f"select count(*) from {web} "
                   "where line->>'$.context.page.url' like '%\\%\\%bad-url%' escape '\\'") > 0
    assert _q(con, f"select count(*) from {app} where line->>'$.context.device.advertisingId' "
                   "= '00000000-0000-0000-0000-000000000000'") > 0
    pos = f"read_csv('{sim_dir}/landing/pos/transactions/*.csv', all_varchar = true)"
    assert _q(con, f"select count(distinct currency) from {pos}") == 3
    assert _q(con, f"select count(*) from {pos} where is_return = 'true'") > 0
    assert _q(con, f"select count(*) from {pos} where total_amount like '%,OO'") > 0
    assert _q(con, f"select count(*) from {pos} where loyalty_card_id is null "
                   "and receipt_email is null") > 0
    latest = sorted((sim_dir / "landing" / "crm" / "contacts").glob("*.csv"))[-1]
    contacts = f"read_csv('{latest}', all_varchar = true)"
    assert _q(con, f"select count(*) from {contacts} where erased_at is not null") > 0
    # duplicate CRM records: two contacts with the same email
    assert _q(con, f"select count(*) - count(distinct lower(email)) from {contacts}") > 0


def test_regulars_buy_often_but_never_like_a_till(
    sim_dir: Path, truth: duckdb.DuckDBPyConnection
) -> None:
    """Regulars: 50 to 150 store purchases (at most two a day, so at most 2 x
    days), never more than two on one local day; the cashier's card: many
    sales on a shift day."""
    pos = f"read_csv('{sim_dir}/landing/pos/transactions/*.csv', all_varchar = true)"
    truth.execute(
        f"""
        create or replace temp table card_days as
        select i.person_id, p.persona, cast(try_cast(t.occurred_at as timestamp) as date) as day,
            count(*) as sales
        from {pos} as t
        inner join truth_identifiers as i
            on i.identifier_type = 'loyalty_card' and i.identifier_value = t.loyalty_card_id
        inner join truth_persons as p using (person_id)
        where t.is_return = 'false'
        group by all
        """
    )
    regulars = truth.execute(
        "select count(*), min(n), max(n), max(busiest) from (select person_id, sum(sales) as n, "
        "max(sales) as busiest from card_days where persona = 'regular' group by 1)"
    ).fetchone()
    count, fewest, most, busiest = regulars
    assert count >= 10
    assert 45 <= fewest and most <= 150  # a sale with a garbled date is not counted
    assert busiest <= 2
    cashier = truth.execute(
        "select max(sales) from card_days where persona = 'internal'"
    ).fetchone()[0]
    assert cashier > 5
