"""Lifecycle stages against the simulator's truth, and the funnel against a
brute-force computation in Python."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from conftest import SALT
from helpers import load_truth
from journey.serving import build_cursor

STAGES = ["awareness", "consideration", "conversion", "retention", "advocacy"]


@pytest.fixture(scope="module")
def resolvable(warehouse: duckdb.DuckDBPyConnection, sim_dir: Path) -> duckdb.DuckDBPyConnection:
    """Persons the warehouse can see whole: one warehouse person holds all their
    identifiers, and every record of theirs carries a usable identifier."""
    con = build_cursor(warehouse)
    load_truth(con, sim_dir, SALT)
    con.execute(
        """
        create temp table untieable_buyers as
        select distinct t.person_id from truth_conversions as t
        where not t.is_quarantined and not exists (
            select 1 from tieable as k
            where k.sales_channel = t.sales_channel and k.order_id = t.order_id
        );
        create temp table resolvable_persons as
        with groups as (
            select person_id, count(distinct evidence_group) as groups,
                bool_and(is_resolvable) as all_resolvable
            from clean_ids group by person_id
        )
        select p.person_id, min(b.person_id) as warehouse_person
        from truth_persons as p
        inner join groups as g using (person_id)
        inner join clean_ids as c using (person_id)
        inner join marts.bridge_person_identifiers as b
            on b.identifier_type = c.identifier_type and b.identifier_hash = c.identifier_hash
        where g.groups = 1 and g.all_resolvable
            and p.unusable_events = 0 and not p.is_test and not p.is_employee
            and p.person_id not in (select person_id from erased_people)
            and p.person_id not in (select person_id from untieable_buyers)
            and p.person_id not in (
                select person_id from truth_sessions where is_shared_device)
        group by p.person_id
        having count(distinct b.person_id) = 1;
        """
    )
    return con


def test_persons_per_stage_equal_the_truth(resolvable: duckdb.DuckDBPyConnection) -> None:
    """For every resolvable person, the stages reached and when they were
    entered equal the truth's raw stage times made monotone (a stage is
    entered at the earliest time it or any later stage was reached)."""
    resolvable.execute(
        """
        create temp table expected_stages as
        with raw as (
            select r.person_id, s.stage, s.reached_at,
                list_position(['awareness', 'consideration', 'conversion', 'retention',
                    'advocacy'], s.stage) as stage_order
            from resolvable_persons as r inner join truth_stages as s using (person_id)
        ),
        orders as (select unnest(range(1, 6)) as stage_order)
        select raw.person_id, o.stage_order, min(raw.reached_at) as entered_at
        from raw inner join orders as o on raw.stage_order >= o.stage_order
        group by all;
        create temp table actual_stages as
        select r.person_id, t.stage_order, t.entered_at
        from resolvable_persons as r
        inner join marts.fct_stage_transitions as t on t.person_id = r.warehouse_person;
        """
    )
    counts = resolvable.execute(
        """
        select e.stage_order, e.n, a.n from
            (select stage_order, count(*) as n from expected_stages group by 1) as e
        full join (select stage_order, count(*) as n from actual_stages group by 1) as a
            using (stage_order)
        order by 1
        """
    ).fetchall()
    persons = resolvable.execute("select count(*) from resolvable_persons").fetchone()[0]
    print(f"{persons} resolvable persons; persons per stage (truth, warehouse): {counts}")
    assert persons > 1000
    assert all(expected == actual for _, expected, actual in counts), counts
    assert len(counts) == 5
    differences = resolvable.execute(
        """
        select count(*) from (
            select * from expected_stages except all select * from actual_stages
        )
        """
    ).fetchone()[0]
    assert differences == 0


def test_every_stage_reached_by_someone(warehouse: duckdb.DuckDBPyConnection) -> None:
    reached = dict(warehouse.execute("select stage, count(*) from marts.fct_stage_transitions group by 1").fetchall())
    assert set(reached) == set(STAGES)
    assert [reached[s] for s in STAGES] == sorted(reached.values(), reverse=True)


def _week(ts: datetime) -> datetime:
    day = ts.date() - timedelta(days=ts.weekday())
    return datetime(day.year, day.month, day.day)


def test_funnel_equals_a_brute_force_count(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The default funnel (session, Product Viewed, Product Added, Checkout
    Started, Order Completed; 7-day window from the first step; one entry per
    person and week) recounted in plain Python from the staged events, with
    each event's person taken from its session."""
    sessions = warehouse.execute(
        """
        select session_id, person_id, started_at, platform, device_type
        from marts.fct_sessions where person_id is not null
        """
    ).fetchall()
    session_person = {s[0]: s[1] for s in sessions}
    events = warehouse.execute(
        """
        select z.session_id, e.event_name, e.occurred_at
        from (select message_id, event_name, occurred_at, 'web' as platform from staging.stg_web__events
              union all
              select message_id, event_name, occurred_at, 'app' from staging.stg_app__events) as e
        inner join intermediate.int_sessions__sessionized as z
            on z.platform = e.platform and z.message_id = e.message_id
        where e.event_name in ('Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed')
        """
    ).fetchall()
    names = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"]
    by_person: dict[str, dict[str, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for session_id, name, at in events:
        person = session_person.get(session_id)
        if person is not None:
            by_person[person][name].append(at)
    starts: dict[str, list[tuple]] = defaultdict(list)
    for session_id, person, started_at, platform, device_type in sessions:
        starts[person].append((started_at, session_id, platform, device_type))
    attributes = {
        p: (channel, campaign, week)
        for p, channel, campaign, week in warehouse.execute(
            """
            select person_id, acquisition_channel, acquisition_campaign,
                cast(date_trunc('week', first_touch_at) as varchar)
            from marts.dim_persons
            """
        ).fetchall()
    }
    window = timedelta(days=7)
    purchases: dict[str, list[datetime]] = defaultdict(list)
    for person, at in warehouse.execute(
        "select person_id, converted_at from marts.fct_conversions "
        "where conversion_type = 'purchase' and person_id is not null"
    ).fetchall():
        purchases[person].append(at)
    audience: dict[tuple, tuple] = {}
    persons: dict[tuple, int] = defaultdict(int)
    hours: dict[tuple, list[float]] = defaultdict(list)
    for person, person_starts in starts.items():
        first_in_week: dict[datetime, tuple] = {}
        for start in sorted(person_starts):
            first_in_week.setdefault(_week(start[0]), start)
        for week, (entered, _, platform, device_type) in first_in_week.items():
            reached = [entered]
            for name in names:
                later = [t for t in by_person[person][name] if reached[-1] <= t <= entered + window]
                if not later:
                    break
                reached.append(min(later))
            adds = [t for t in by_person[person]["Product Added"] if entered <= t <= entered + window]
            abandoned = bool(adds) and not any(min(adds) <= t <= min(adds) + window for t in purchases[person])
            audience[(person, week.date())] = (len(reached), abandoned)
            channel, campaign, cohort = attributes[person]
            groups = {
                ("all", "all"), ("acquisition_channel", channel or "(none)"),
                ("platform", platform), ("device_type", device_type or "(none)"),
                ("first_touch_campaign", campaign or "(none)"), ("cohort_week", cohort or "(none)"),
            }  # fmt: skip
            for step, at in enumerate(reached, start=1):
                for breakdown, value in groups:
                    key = (week.date(), breakdown, value, step)
                    persons[key] += 1
                    if step > 1:
                        hours[key].append((at - reached[step - 2]).total_seconds() / 3600)
    mart = {
        (row[0], row[1], row[2], row[3]): (row[4], row[5])
        for row in warehouse.execute(
            """
            select period_start, breakdown, breakdown_value, step_order, persons,
                median_hours_from_previous
            from marts.mart_funnel
            """
        ).fetchall()
    }
    nonzero = {k: v[0] for k, v in mart.items() if v[0] > 0}
    assert nonzero == dict(persons)
    for key, values in hours.items():
        assert mart[key][1] == pytest.approx(statistics.median(values), abs=1e-9), key
    consented = {p for (p,) in warehouse.execute("select person_id from marts.dim_persons where has_marketing_consent").fetchall()}
    drop_offs = {
        (p, week): (last, abandoned)
        for p, week, last, abandoned in warehouse.execute(
            "select person_id, period_start, last_step_order, is_cart_abandoned from marts.mart_funnel_drop_offs"
        ).fetchall()
    }
    assert drop_offs == {k: v for k, v in audience.items() if k[0] in consented}
    assert 0 < len(drop_offs) < len(audience)
    assert sum(1 for _, abandoned in drop_offs.values() if abandoned) > 100
    total = sum(v for (_, b, _, s), v in persons.items() if b == "all" and s == 1)
    print(f"funnel: {total} person-weeks entered, {len(mart)} mart rows checked")
    assert total > 1000
