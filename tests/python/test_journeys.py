"""Sessions, conversions and journeys against the simulator's truth."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import SALT
from helpers import load_truth
from journey.serving import build_cursor


@pytest.fixture(scope="module")
def mapped(truth_warehouse: duckdb.DuckDBPyConnection, sim_dir: Path) -> duckdb.DuckDBPyConnection:
    """The shared truth tables (helpers.load_truth) and each warehouse person's
    true owner."""
    con = build_cursor(truth_warehouse)
    load_truth(con, sim_dir, SALT)
    con.execute(
        """
        create temp table owners as
        select b.person_id, min(t.person_id) as truth_person,
            count(distinct t.person_id) as truth_people
        from marts.bridge_person_identifiers as b
        inner join clean_ids as t using (identifier_type, identifier_hash)
        group by b.person_id;
        """
    )
    return con


def test_every_person_has_one_true_owner(mapped: duckdb.DuckDBPyConnection) -> None:
    assert mapped.execute("select count(*) from owners").fetchone()[0] > 1000
    assert mapped.execute("select count(*) from owners where truth_people > 1").fetchone()[0] == 0


def test_sessions_per_person_and_platform_match_the_truth(mapped: duckdb.DuckDBPyConnection) -> None:
    """Every simulated visit with at least one usable event (readable, on a
    real cookie or install id) is one session on its person's device; shared
    tablets are compared as a whole, and erased people must be absent."""
    mapped.execute(
        """
        create temp table session_owner as
        select s.session_id, s.platform, t.person_id as truth_person,
            t.is_shared, t.is_junk, t.is_resolvable
        from marts.fct_sessions as s
        left join truth_ids as t
            on t.identifier_type = s.device_key_type and t.identifier_hash = s.device_key
        """
    )
    mismatches = mapped.execute(
        """
        with warehouse as (
            select truth_person, platform, count(*) as sessions from session_owner
            where truth_person is not null and not is_shared and not is_junk
                and truth_person not in (select person_id from erased_people)
            group by all
        ),
        expected as (
            select person_id as truth_person, platform, count(*) as sessions
            from truth_sessions
            where usable_events > 0 and not is_shared_device
                and person_id not in (select person_id from erased_people)
            group by all
        )
        select count(*), sum(coalesce(e.sessions, 0)), sum(coalesce(w.sessions, 0))
        from warehouse as w full join expected as e using (truth_person, platform)
        where w.sessions is distinct from e.sessions
        """
    ).fetchone()
    totals = mapped.execute(
        "select count(*) from truth_sessions where usable_events > 0 and not is_shared_device"
    ).fetchone()[0]
    print(f"sessions: {totals} usable visits on own devices, mismatching person-platforms: {mismatches}")
    assert totals > 10_000
    assert mismatches[0] == 0, mismatches
    shared = mapped.execute(
        """
        select
            (select count(*) from session_owner where is_shared),
            (select count(*) from truth_sessions where is_shared_device and usable_events > 0)
        """
    ).fetchone()
    assert shared[0] == shared[1] > 0
    # a session whose device is a resolvable identifier of an erased person
    leaked = mapped.execute(
        """
        select count(*) from marts.fct_sessions
        where device_key in (select identifier_hash from erased_ids)
        """
    ).fetchone()[0]
    assert leaked == 0


def test_conversions_match_the_truth_order_by_order(mapped: duckdb.DuckDBPyConnection) -> None:
    """Every readable truth conversion is in fct_conversions once, with its
    time, channel, sign and EUR revenue; nothing else is."""
    diff = mapped.execute(
        """
        with expected as (
            select order_id, sales_channel,
                case when is_return then 'return' else 'purchase' end as conversion_type,
                converted_at, revenue_eur
            from truth_conversions where not is_quarantined
        ),
        actual as (
            select order_id, sales_channel, conversion_type, converted_at, revenue_eur
            from marts.fct_conversions where conversion_type in ('purchase', 'return')
        )
        select
            (select count(*) from expected),
            (select count(*) from (select * from expected except all select * from actual)),
            (select count(*) from (select * from actual except all select * from expected))
        """
    ).fetchone()
    print(f"conversions: {diff[0]} expected, missing {diff[1]}, unexpected {diff[2]}")
    assert diff[0] > 1000
    assert diff[1:] == (0, 0)


def test_costs_of_goods_match_the_truth_order_by_order(mapped: duckdb.DuckDBPyConnection) -> None:
    """Every readable order, store sale and return has the truth's cost of
    goods and gross margin to the cent: its lines (an order's product, a
    till's lines) x the unit cost of the sale's day (the catalog's costs
    change mid-period; the teapot's is in GBP) at that day's rate; null when
    a product is missing from the catalog (the pot warmer), and reported."""
    diff = mapped.execute(
        """
        with expected as (
            select order_id, sales_channel, cost_of_goods_eur::decimal(18, 2) as cost,
                gross_margin_eur::decimal(18, 2) as margin
            from truth_conversions where not is_quarantined
        ),
        actual as (
            select order_id, sales_channel, cost_of_goods_eur, gross_margin_eur
            from marts.fct_conversions where conversion_type in ('purchase', 'return')
        )
        select
            (select count(cost) from expected),
            (select count(*) - count(cost) from expected),
            (select count(*) from (select * from expected except all select * from actual)),
            (select count(*) from (select * from actual except all select * from expected))
        """
    ).fetchone()
    print(f"costed conversions: {diff[0]}, unknown cost: {diff[1]}, missing {diff[2]}, unexpected {diff[3]}")
    assert diff[0] > 1000 and diff[1] > 50
    assert diff[2:] == (0, 0)
    reported = mapped.execute(
        "select cost_issue, product_id, conversions from marts.rpt_unknown_product_costs"
    ).fetchall()
    assert reported == [("product not in the catalog", "pot-warmer", diff[1])]


def test_conversions_per_person_match_the_truth(mapped: duckdb.DuckDBPyConnection) -> None:
    """A conversion is tied to its true buyer whenever its record carries an
    identifier that is theirs alone (account, cookie or install id for an
    order; loyalty card or receipt email in store), and to nobody otherwise;
    erased people's conversions are tied to nobody."""
    result = mapped.execute(
        """
        with checked as (
            select
                c.order_id, c.sales_channel, t.person_id as truth_person,
                o.truth_person as warehouse_truth_person, c.person_id,
                t.person_id in (select person_id from erased_people) as is_erased,
                k.order_id is not null as is_tieable
            from marts.fct_conversions as c
            inner join truth_conversions as t using (order_id, sales_channel)
            left join owners as o on o.person_id = c.person_id
            left join tieable as k using (sales_channel, order_id)
            where c.conversion_type in ('purchase', 'return')
        )
        select
            count(*) as conversions,
            count(*) filter (where is_erased and person_id is not null) as erased_tied,
            count(*) filter (where not is_erased and is_tieable and person_id is null) as missed,
            count(*) filter (where not is_erased and not is_tieable and person_id is not null)
                as tied_without_evidence,
            count(*) filter (where person_id is not null
                and warehouse_truth_person is distinct from truth_person) as wrong_person,
            count(*) filter (where person_id is not null) as tied
        from checked
        """
    ).fetchone()
    print(f"conversions {result[0]}, tied {result[5]}: erased tied {result[1]}, missed {result[2]}, "
          f"tied without evidence {result[3]}, wrong person {result[4]}")  # fmt: skip
    assert result[0] > 1000
    assert result[1:5] == (0, 0, 0, 0)
    # grouped by true person: as many conversions and as much revenue as the
    # truth holds for them, counting what their records let anyone tie
    per_person = mapped.execute(
        """
        with expected as (
            select t.person_id as truth_person, count(*) as n,
                sum(t.revenue_eur::decimal(18, 2)) as revenue
            from truth_conversions as t
            inner join tieable as k using (sales_channel, order_id)
            where not t.is_quarantined
                and t.person_id not in (select person_id from erased_people)
            group by 1
        ),
        actual as (
            select o.truth_person, count(*) as n, sum(c.revenue_eur) as revenue
            from marts.fct_conversions as c
            inner join owners as o using (person_id)
            where c.conversion_type in ('purchase', 'return')
            group by 1
        )
        select count(*), count(*) filter (where a.n is distinct from e.n
            or a.revenue is distinct from e.revenue)
        from actual as a full join expected as e using (truth_person)
        """
    ).fetchone()
    print(f"people with conversions: {per_person[0]}, mismatching: {per_person[1]}")
    assert per_person[0] > 500
    assert per_person[1] == 0


def test_first_purchase_flags(truth_warehouse: duckdb.DuckDBPyConnection) -> None:
    bad = truth_warehouse.execute(
        """
        select count(*) from (
            select person_id, count(*) filter (where is_first_purchase) as firsts,
                min(converted_at) filter (where is_first_purchase) as first_at,
                min(converted_at) as earliest
            from marts.fct_conversions
            where conversion_type = 'purchase' and person_id is not null
            group by person_id
        ) where firsts <> 1 or first_at <> earliest
        """
    ).fetchone()[0]
    assert bad == 0
    # dim_persons agrees with the conversions
    mismatch = truth_warehouse.execute(
        """
        select count(*) from marts.dim_persons as p
        left join (
            select person_id, count(*) filter (where conversion_type = 'purchase') as orders,
                sum(revenue_eur) as revenue
            from marts.fct_conversions where conversion_type in ('purchase', 'return')
            group by 1
        ) as c using (person_id)
        where p.orders_count <> coalesce(c.orders, 0) or p.revenue_eur <> coalesce(c.revenue, 0)
        """
    ).fetchone()[0]
    assert mismatch == 0


def test_journeys_hold_the_touches_of_the_lookback_window(truth_warehouse: duckdb.DuckDBPyConnection) -> None:
    """Recompute each converting journey's path from fct_touchpoints in Python."""
    conversions = truth_warehouse.execute(
        """
        select j.conversion_id, c.person_id, c.converted_at, j.touchpoints, j.channel_path
        from marts.fct_journeys as j
        inner join marts.fct_conversions as c using (conversion_id)
        where j.is_converting and c.person_id is not null
        order by c.person_id, c.converted_at, c.conversion_id
        """
    ).fetchall()
    touches: dict[str, list[tuple]] = {}
    for person, at, tid, channel in truth_warehouse.execute(
        """
        select person_id, touched_at, touchpoint_id, channel_group from marts.fct_touchpoints
        where is_attributable and person_id is not null order by 1, 2, 3
        """
    ).fetchall():
        touches.setdefault(person, []).append((at, tid, channel))
    from datetime import timedelta

    previous: dict[str, object] = {}
    checked = 0
    for conversion_id, person, converted_at, n, path in conversions:
        start = converted_at - timedelta(days=30)
        after = previous.get(person)
        mine = [
            t for t in touches.get(person, [])
            if start <= t[0] <= converted_at and (after is None or t[0] > after)
        ]  # fmt: skip
        previous[person] = converted_at
        assert n == len(mine), conversion_id
        assert (path or None) == (" > ".join(t[2] for t in mine) or None), conversion_id
        checked += 1
    assert checked > 1000
