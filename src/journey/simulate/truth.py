"""The truth tables only tests read: who owns every identifier, conversion and stage."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from journey.simulate.config import PERSONAS
from journey.simulate.landing_sql import ZERO_ADID

# Every (record, identifier) the landing zone shows, with the true owner.
# Identifier values are spelled normalised (trimmed lower-case email, E.164
# phone) and typed with the names the warehouse uses.
OBSERVATIONS = f"""
create or replace table observations as
with web_app as (
    select
        'event:' || e::varchar as record, pi.person_id, is_app, anonymous_id,
        sent_user_id, traits, logged_in, cookie < 0 as shared_cookie,
        pi.email, pi.phone, pi.idfv, pi.adid, pi.is_qa, ev.eid
    from ev_full as ev inner join person_ids as pi using (p)
    where not ev.truncated
),
obs as (
    select record, person_id, case when is_app then 'install_id' else 'anonymous_id' end
        as identifier_type, anonymous_id as value,
        shared_cookie as is_shared, false as is_test from web_app
    union all
    select record, person_id, 'user_id', sent_user_id, false,
        is_qa and sent_user_id like 'test-account-%'
    from web_app where sent_user_id is not null
    union all
    select record, person_id, 'email', email, false, false from web_app where traits > 0
    union all
    select record, person_id, 'phone', phone, false, false from web_app where traits = 2
    union all
    select record, person_id, 'device_id', idfv, false, false from web_app where is_app
    union all
    select record, person_id, 'advertising_id', adid, false, false from web_app where is_app
    union all
    select record, person_id, 'esp_subscriber_id', eid, false, false
    from web_app where eid is not null
    union all
    select 'contact:' || c.c::varchar, pi.person_id, x.k, x.v, false, false
    from contacts as c
    inner join person_ids as pi on pi.p = c.p
    cross join lateral (
        values
            ('contact_id', contact_of(c.c)),
            ('user_id', case when c.has_customer_id then pi.user_id end),
            ('email', pi.email),
            ('phone', case when pi.has_phone and not c.is_duplicate then pi.phone end),
            ('loyalty_card', case when c.card_at is not null then pi.card end)
    ) as x (k, v)
    where x.v is not null
    union all
    select 'mail:' || m.m::varchar, pi.person_id, x.k, x.v, false, false
    from mail as m
    inner join contacts as c on c.c = m.c
    inner join person_ids as pi on pi.p = c.p
    cross join lateral (
        values ('contact_id', contact_of(m.c)), ('esp_subscriber_id', esp_of(m.c))
    ) as x (k, v)
    union all
    select 'sale:' || s.t::varchar, pi.person_id, 'loyalty_card', card_of(s.card_owner),
        false, false
    from sales as s inner join person_ids as pi on pi.p = s.card_owner
    where s.card_owner >= 0
    union all
    select 'sale:' || s.t::varchar, pi.person_id, 'email', pi.email, false, false
    from sales as s inner join person_ids as pi on pi.p = s.p where s.receipt_email
)
select
    record,
    person_id, identifier_type, value,
    value in ('', 'undefined', 'null', '0', '-1', 'guest', '{ZERO_ADID}') as is_junk,
    is_shared,
    is_test
from obs
"""

EMPLOYEE_CARD = """
update observations set is_shared = true
where identifier_type = 'loyalty_card' and value = card_of({employee})
"""


def evidence_groups(con: duckdb.DuckDBPyConnection) -> None:
    """Connected components of the identifiers that records tie together, leaving
    out junk, shared and test identifiers that a correct resolver must not use.
    Run on one chunk: no usable identifier links two blocks (write_truth checks),
    and a group is named after its smallest identifier hash, whatever the chunk."""
    con.execute(
        """
        create or replace table nodes as
        select identifier_type, value, min(person_id) as person_id,
            bool_or(is_junk) as is_junk, bool_or(is_shared) as is_shared,
            bool_or(is_test) as is_test,
            row_number() over (order by identifier_type, value) - 1 as node
        from observations group by 1, 2
        """
    )
    edges = con.execute(
        """
        with usable as (
            select o.record, n.node from observations as o
            inner join nodes as n using (identifier_type, value)
            where not (n.is_junk or n.is_shared or n.is_test)
        ),
        rec as (select record, min(node) as hub from usable group by 1)
        select u.node, r.hub from usable as u inner join rec as r using (record)
        where u.node <> r.hub
        """
    ).fetchnumpy()
    n = con.execute("select count(*) from nodes").fetchone()[0]
    a, b = edges["node"].astype(np.int64), edges["hub"].astype(np.int64)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    con.register("labels", {"node": np.arange(n), "grp": labels.astype(np.int64)})
    con.execute(
        """
        create or replace table identifiers_truth as
        with g as (
            select n.*, l.grp, count(*) over (partition by l.grp) as group_size,
                min(hash(n.identifier_type, n.value)) over (partition by l.grp) as label
            from nodes as n inner join labels as l using (node)
        )
        select identifier_type, value as identifier_value, person_id,
            is_junk, is_shared, is_test,
            case when group_size > 1 and not (is_junk or is_shared or is_test)
                then 'G' || label::varchar end as evidence_group,
            group_size > 1 and not (is_junk or is_shared or is_test) as is_resolvable
        from g
        """
    )


# Cost of goods: each line's quantity x the unit cost valid on the sale's day
# (the UTC day online, the store's local day) at the cost currency's rate,
# summed per order and rounded to the cent; null when a product has no cost.
CONVERSIONS = """
create or replace table conversions_truth as
with line_costs as (
    select e.e as k, 'online' as kind, e.quantity,
        c.unit_cost::decimal(18, 4) * cr.eur_per_unit::decimal(18, 6) as unit_cost_eur
    from ev_full as e
    left join product_costs as c
        on c.product_id = e.product_id and e.ts::date between c.valid_from and c.valid_to
    left join rates as cr on cr.currency = c.currency
    where e.kind_name = 'order'
    union all
    select l.t, 'store', l.quantity,
        c.unit_cost::decimal(18, 4) * cr.eur_per_unit::decimal(18, 6)
    from sale_lines as l
    inner join pos_out as p using (t)
    inner join products as pr on pr.i = l.product
    left join product_costs as c
        on c.product_id = pr.product_id and p.local_day::date between c.valid_from and c.valid_to
    left join rates as cr on cr.currency = c.currency
),
costs as (
    select k, kind,
        case when count(unit_cost_eur) = count(*)
            then round(sum(quantity * unit_cost_eur), 2) end as cost_of_goods_eur
    from line_costs group by k, kind
),
orders as (
    select
        order_key as order_id,
        case when is_app then 'app' else 'web' end as sales_channel,
        person_id, ts as converted_at, revenue as revenue_local, currency,
        round(revenue::decimal(18, 4) * eur_per_unit::decimal(18, 6), 2) as revenue_eur, false as is_return,
        false as is_quarantined, c.cost_of_goods_eur
    from ev_full
    inner join costs as c on c.kind = 'online' and c.k = ev_full.e
    where kind_name = 'order'
    union all
    select
        p.transaction_id, 'store', pi.person_id,
        timezone(p.timezone, date_trunc('second', p.local_at)) at time zone 'UTC', p.total, p.currency,
        round(p.total::decimal(18, 4) * r.eur_per_unit::decimal(18, 6), 2), p.is_return,
        p.bad_date or p.bad_amount, c.cost_of_goods_eur
    from pos_out as p
    inner join person_ids as pi on pi.p = p.p
    inner join rates as r on r.currency = p.currency
    inner join costs as c on c.kind = 'store' and c.k = p.t
)
select
    order_id, sales_channel, person_id, converted_at, revenue_local, currency,
    revenue_eur::double as revenue_eur, is_return, is_quarantined,
    cost_of_goods_eur::double as cost_of_goods_eur,
    (revenue_eur - cost_of_goods_eur)::double as gross_margin_eur
from orders
"""

# usable_events: events of the visit a warehouse can sessionize on a device,
# i.e. readable (not truncated) and carrying a real cookie or install id.
SESSIONS = """
create or replace table sessions_truth as
with usable as (
    select s, count(*) as usable_events from ev_full
    where not truncated and junk_anonymous = 0 group by 1
)
select
    s.s as session_number, pi.person_id,
    case when s.device = 3 then 'app' else 'web' end as platform,
    s.device = 4 as is_shared_device,
    s.started_at, ch.channel, s.is_order,
    coalesce(u.usable_events, 0) as usable_events
from sessions as s
inner join person_ids as pi using (p)
inner join channels as ch on ch.i = s.channel
left join usable as u using (s)
"""

# Raw stage times from the rules of the lifecycle seed, on records the warehouse
# can read (quarantined store rows excluded); monotonicity is the warehouse's job.
STAGES = """
create or replace table stages_truth as
with purchases as (
    select person_id, converted_at from conversions_truth
    where not is_return and not is_quarantined
),
ranked as (
    select person_id, converted_at,
        lag(converted_at) over (partition by person_id order by converted_at) as previous
    from purchases
),
first_purchase as (select person_id, min(converted_at) as first_at from purchases group by 1),
mail_touch as (
    select pi.person_id, m.ts, k.kind from mail as m
    inner join email_kinds as k on k.i = m.kind
    inner join contacts as c on c.c = m.c
    inner join person_ids as pi on pi.p = c.p
),
store_visit as (
    select person_id, converted_at as ts from conversions_truth
    where sales_channel = 'store' and not is_quarantined
),
session_rank as (
    select person_id, started_at,
        row_number() over (partition by person_id order by started_at) as n
    from sessions_truth
),
nps_high as (
    select pi.person_id, n.ts from nps as n
    inner join contacts as c on c.c = n.c
    inner join person_ids as pi on pi.p = c.p where n.score >= 9
),
stage_events as (
    select person_id, 'awareness' as stage, started_at as reached from session_rank
    union all select person_id, 'awareness', ts from mail_touch where kind in ('open', 'click')
    union all select person_id, 'awareness', ts from store_visit
    union all select person_id, 'consideration', ts from ev_full
        where kind_name in ('product_viewed', 'added', 'signed_up', 'newsletter')
    union all select person_id, 'consideration', started_at from session_rank where n = 2
    union all select person_id, 'consideration', ts from mail_touch where kind = 'click'
    union all select person_id, 'conversion', first_at from first_purchase
    union all select person_id, 'retention', converted_at from ranked
        where previous is not null and converted_at <= previous + interval 365 day
    union all select a.person_id, 'advocacy', a.ts from (
        select person_id, ts from nps_high
        union all select person_id, ts from ev_full where kind_name in ('review', 'referral')
    ) as a inner join first_purchase as f using (person_id) where a.ts > f.first_at
)
select person_id, stage, min(reached) as reached_at from stage_events group by 1, 2
"""

# unusable_events: events no warehouse can tie to their device (a junk
# cookie or install id, or a truncated line).
PERSONS = f"""
create or replace table persons_truth as
select pi.person_id, pr.persona, pi.country, pi.is_qa and not pi.is_employee as is_test,
    pi.is_employee, pi.erased_at, coalesce(u.unusable_events, 0) as unusable_events
from person_ids as pi inner join (
    select p, {list(PERSONAS)}[persona + 1] as persona from persons
) as pr using (p)
left join (
    select p, count(*) as unusable_events from ev_full
    where junk_anonymous > 0 or truncated group by 1
) as u using (p)
"""


TRUTH_TABLES = ("identifiers", "conversions", "sessions", "stages", "persons")


def collect_truth(con: duckdb.DuckDBPyConnection, employee: int) -> None:
    """One chunk's truth, added to the run's truth tables in the `acc` database."""
    con.execute(OBSERVATIONS)
    con.execute(EMPLOYEE_CARD.format(employee=employee))
    evidence_groups(con)
    for sql in (CONVERSIONS, SESSIONS, STAGES, PERSONS):
        con.execute(sql)
    for name in TRUTH_TABLES:
        con.execute(f"create table if not exists acc.{name} as from {name}_truth limit 0")
        con.execute(f"insert into acc.{name} from {name}_truth")


# An identifier seen in several blocks is junk, shared or a test account (the
# employee's card, 'undefined'): one row for it, flagged.
IDENTIFIERS = """
select
    identifier_type, identifier_value, min(person_id) as person_id,
    bool_or(is_junk) as is_junk, bool_or(is_shared) as is_shared, bool_or(is_test) as is_test,
    case when not bool_or(is_junk or is_shared or is_test) then min(evidence_group) end
        as evidence_group,
    bool_and(is_resolvable) as is_resolvable
from acc.identifiers group by 1, 2
"""


def write_truth(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    """The run's truth as Parquet files, one per table, rows in sorted order."""
    split = con.execute(
        "select identifier_type, count(*) from (select identifier_type from acc.identifiers "
        "group by identifier_type, identifier_value "
        "having count(*) > 1 and not bool_or(is_junk or is_shared or is_test)) group by 1"
    ).fetchall()
    if split:
        raise RuntimeError(f"usable identifiers link two blocks (type, count): {split}")
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in TRUTH_TABLES:
        source = f"({IDENTIFIERS})" if name == "identifiers" else f"acc.{name}"
        con.execute(
            f"copy (select * from {source} order by all) "
            f"to '{out / (name + '.parquet')}' (format parquet)"
        )
        counts[name] = con.execute(f"select count(*) from {source}").fetchone()[0]
    return counts
