"""Serialise the simulated world into the landing zone of CONTRACT.md.

Python only decides who did what and when (integer keys, numpy arrays); DuckDB
spells identifiers, builds the Segment JSON and writes gzipped NDJSON and CSV.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from journey.simulate import landing_sql
from journey.simulate.config import (
    CAMPAIGNS,
    CHANNELS,
    EMAIL_CAMPAIGN_NAMES,
    PRODUCTS,
    PUSH_CAMPAIGNS,
    STORES,
    SimConfig,
)
from journey.simulate.crm import EMAIL_EVENTS, Contacts, EmailEvents, NpsAnswers
from journey.simulate.offline import StoreSales
from journey.simulate.online import KINDS, Events, K, Sessions
from journey.simulate.population import N_INTERNAL, Population


def to_ts(start: datetime, days: np.ndarray) -> pa.Array:
    """Days since start as millisecond timestamps (inf becomes null)."""
    finite = np.isfinite(days)
    ms = (np.where(finite, days, 0.0) * 86_400_000).astype(np.int64)
    values = np.datetime64(start, "ms") + ms.astype("timedelta64[ms]")
    return pa.array(values, mask=~finite)


def register(con: duckdb.DuckDBPyConnection, name: str, **cols: object) -> None:
    con.register(name, pa.table({k: pa.array(v) if not isinstance(v, pa.Array) else v for k, v in cols.items()}))


def _values(rows: list[tuple[object, ...]], names: list[str]) -> str:
    def lit(v: object) -> str:
        return "'" + str(v).replace("'", "''") + "'" if isinstance(v, str) else str(v)

    body = ", ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows)
    return f"(values {body}) as t({', '.join(names)})"


def register_reference(con: duckdb.DuckDBPyConnection, rates: dict[str, float]) -> None:
    con.execute(
        "create or replace table campaigns as select row_number() over () - 1 as i, * from "
        + _values(
            [c for c in CAMPAIGNS],
            ["channel", "source", "medium", "name", "platform", "account", "currency", "cpc"],
        )
    )
    con.execute(
        "create or replace table stores as select row_number() over () - 1 as i, * from "
        + _values([s for s in STORES], ["store_id", "store_name", "city", "country", "timezone", "currency"])
    )
    con.execute(
        "create or replace table products as select row_number() over () - 1 as i, * from "
        + _values([p for p in PRODUCTS], ["product_id", "price_eur"])
    )
    con.execute(
        "create or replace table rates as select * from "
        + _values(sorted(rates.items()), ["currency", "eur_per_unit"])
    )
    con.execute(
        "create or replace table kinds as select row_number() over () - 1 as i, * from "
        + _values([(k,) for k in KINDS], ["kind"])
    )
    con.execute(
        "create or replace table channels as select row_number() over () - 1 as i, * from "
        + _values([(c,) for c in CHANNELS], ["channel"])
    )
    con.execute(
        "create or replace table email_kinds as select row_number() over () - 1 as i, * from "
        + _values([(c,) for c in EMAIL_EVENTS], ["kind"])
    )
    con.execute(f"create or replace macro push_name(i) as {list(PUSH_CAMPAIGNS)}[i + 1]")
    con.execute(
        f"create or replace macro email_campaign(k) as {list(EMAIL_CAMPAIGN_NAMES)}"
        f"[1 + k % {len(EMAIL_CAMPAIGN_NAMES)}] || '_w' || lpad((k + 1)::varchar, 2, '0')"
    )


def register_world(
    con: duckdb.DuckDBPyConnection,
    cfg: SimConfig,
    pop: Population,
    s: Sessions,
    ev: Events,
    sales: StoreSales,
    c: Contacts,
    mail: EmailEvents,
    nps: NpsAnswers,
    rng: np.random.Generator,
) -> None:
    """Expose every simulated table to DuckDB, with times as timestamps."""
    start = cfg.start_ts
    n = pop.n
    register(
        con,
        "persons",
        p=np.arange(n),
        persona=pop.persona,
        country=pop.country,
        is_ios=pop.is_ios,
        denies_tracking=pop.denies_tracking,
        has_phone=pop.has_phone,
        is_qa=np.arange(n) >= n - N_INTERNAL,
        is_employee=np.arange(n) == n - 1,
        erased_at=to_ts(start, np.where(np.isnan(pop.erased_at), np.inf, pop.erased_at)),
        tablet_pair=np.full(n, -1),
    )
    late = rng.random(len(s)) < cfg.late_app_rate
    register(
        con,
        "sessions",
        s=np.arange(len(s)),
        p=s.person,
        started_at=to_ts(start, s.start),
        device=s.device,
        channel=s.channel,
        campaign=s.campaign,
        is_order=s.is_order,
        email_send=s.email_send,
        late_days=np.where(late, rng.uniform(0.05, 9.9, len(s)), 0.0),
    )
    m = len(ev.session)
    dup = rng.random(m) < cfg.duplicate_rate
    junk = rng.random(m)
    register(
        con,
        "events",
        e=np.arange(m),
        s=ev.session,
        kind=ev.kind,
        ts=to_ts(start, ev.t),
        cookie=ev.cookie,
        logged_in=ev.logged_in,
        traits=ev.traits,
        order_id=ev.order_id,
        product=ev.product,
        quantity=ev.quantity,
        variant=rng.integers(0, 20, m),
        junk_anonymous=np.where(junk < cfg.junk_rate / 2, rng.integers(1, 4, m), 0),
        junk_user=np.where(junk > 1 - cfg.junk_rate / 2, rng.integers(1, 5, m), 0),
        malformed=rng.random(m) < cfg.malformed_url_rate,
        # a collector crash cut a few page-view lines short: invalid JSON
        truncated=(rng.random(m) < cfg.truncated_line_rate) & (ev.kind == K["extra_page"]),
        duplicate_delay=pa.array(rng.choice([0.00001, 0.6, 1.5], m), mask=~dup),
        jitter_ms=rng.integers(200, 3000, m),
    )
    register(
        con,
        "sales",
        t=np.arange(len(sales.person)),
        p=sales.person,
        store=sales.store,
        local_at=to_ts(start, sales.local_t),
        card_owner=sales.card_owner,
        receipt_email=sales.receipt_email,
        is_return=sales.is_return,
        original=sales.original,
        bad_date=sales.bad_date,
        bad_amount=sales.bad_amount,
    )
    register(
        con,
        "sale_lines",
        t=sales.line_txn,
        product=sales.line_product,
        quantity=sales.line_quantity,
    )
    register(
        con,
        "contacts",
        c=np.arange(len(c.person)),
        p=c.person,
        created_at=to_ts(start, c.created_at),
        has_customer_id=c.has_customer_id,
        card_at=to_ts(start, c.card_at),
        consent=c.consent,
        consent_flip_at=to_ts(start, c.consent_flip_at),
        erased_at=to_ts(start, c.erased_at),
        is_duplicate=c.is_duplicate,
        variant=rng.integers(0, 20, len(c.person)),
    )
    register(
        con,
        "mail",
        m=np.arange(len(mail.contact)),
        c=mail.contact,
        campaign=mail.campaign,
        kind=mail.kind,
        ts=to_ts(start, mail.t),
    )
    register(con, "nps", c=nps.contact, ts=to_ts(start, nps.t), score=nps.score)


def _iso(col: str) -> str:
    return f"strftime({col}, '%Y-%m-%dT%H:%M:%S.%g') || 'Z'"


def _write_partitioned(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> None:
    """One gzipped NDJSON file per collector day (`date=YYYY-MM-DD/part-0.jsonl.gz`).

    DuckDB's JSON writer cannot partition, so each event is serialised with
    to_json and written as a one-column, unquoted CSV, which is NDJSON.
    One thread keeps the files byte-identical from run to run.
    """
    folder.mkdir(parents=True, exist_ok=True)
    con.execute("set threads = 1")
    con.execute(
        f"""
        copy (
            select line, day as date from {table} order by day, sort_key, e
        ) to '{folder}' (
            format csv, header false, quote '', escape '', delimiter '\x01',
            partition_by (date), compression gzip, overwrite_or_ignore,
            filename_pattern 'part-{{i}}', file_extension 'jsonl.gz'
        )
        """
    )
    con.execute("reset threads")


def write_events(con: duckdb.DuckDBPyConnection, out: Path, cfg: SimConfig) -> None:
    con.execute(
        landing_sql.PERSON_IDS.format(first_internal=cfg.persons, zero=landing_sql.ZERO_ADID)
    )
    con.execute(landing_sql.EVENTS_FULL)
    # at-least-once delivery: some events arrive twice, later, maybe in another file
    con.execute(
        """
        create or replace view ev_delivered as
        select *, received_at as delivered_at from ev_full
        union all
        select *, received_at + to_milliseconds((duplicate_delay * 86400000)::bigint)
        from ev_full where duplicate_delay is not null
        """
    )
    ts = _iso("ts")
    sent = {"web": ts, "app": _iso("delivered_at - interval 100 millisecond")}
    ua = landing_sql.USER_AGENTS
    campaign = landing_sql.CAMPAIGN_STRUCT
    context = {
        "web": f"""{{
            'page': {{
                'url': 'https://shop.example' || path || coalesce(query_string, ''),
                'path': path,
                'referrer': referrer,
                'title': path
            }},
            'userAgent': {ua},
            'ip': ip,
            'campaign': {campaign}
        }}""",
        "app": f"""{{
            'device': {{
                'id': idfv,
                'advertisingId': adid,
                'type': os,
                'model': case when os = 'ios' then 'iPhone 16' else 'Pixel 9' end
            }},
            'os': {{'name': case when os = 'ios' then 'iOS' else 'Android' end,
                    'version': case when os = 'ios' then '18.1' else '15' end}},
            'app': {{'version': '4.' || (2 + variant % 3)::varchar || '.0'}},
            'ip': ip,
            'campaign': {campaign}
        }}""",
    }
    for platform in ("web", "app"):
        fields = [
            (
                key,
                expr.replace("{ts}", ts)
                .replace("{sent}", sent[platform])
                .replace("{received}", _iso("delivered_at"))
                .replace("{products}", "" if cfg.layout == "contract" else landing_sql.VENDOR_PRODUCTS),
            )
            for key, expr in landing_sql.COMMON_FIELDS
        ] + [("context", _vendor_context(context[platform], platform, cfg.layout))]
        fields += [
            (key, expr.replace("{ts}", ts))
            for key, expr in landing_sql.VENDOR_FIELDS.get((cfg.layout, platform), [])
        ]
        payload = ",\n".join(f"'{key}': {expr}" for key, expr in fields)
        con.execute(
            f"""
            create or replace table {platform}_out as
            select
                strftime(delivered_at, '%Y-%m-%d') as day,
                delivered_at as sort_key,
                e,
                case when truncated
                    then left(to_json({{{payload}}})::varchar, 60)
                    else to_json({{{payload}}})::varchar end as line
            from ev_delivered where is_app = {platform == "app"}
            """
        )
        _write_partitioned(con, f"{platform}_out", out / platform)
        con.execute(f"drop table {platform}_out")
        if cfg.layout != "contract":
            _vendor_layout(out / platform, platform, cfg.layout)


def _vendor_context(context: str, platform: str, layout: str) -> str:
    """The context object as each vendor's library writes it: its `library`,
    mobile `traits` (a copy of an identify call's), and RudderStack's client
    IP at the top level (request_ip) rather than in the context."""
    if layout == "contract":
        return context
    library = landing_sql.VENDOR_LIBRARIES[(layout, platform)]
    extra = f"'library': {{'name': '{library[0]}', 'version': '{library[1]}'}}"
    if platform == "app":
        extra += ", 'traits': " + landing_sql.TRAITS
    if layout == "rudderstack":
        context = context.replace("'ip': ip,", "")
    return context.rstrip()[:-1] + ", " + extra + "}"


def _vendor_layout(folder: Path, platform: str, layout: str) -> None:
    """Move the `date=` partitions into the bucket layout a vendor's object
    storage destination writes (CONTRACT.md): Segment's
    `[prefix/]segment-logs/<source-id>/<day as epoch ms>/<file>.gz`, or
    RudderStack's `rudder-logs/<source-id>/<day>/<unix s>.<source-id>.<uuid>.json.gz`
    (the web with the older MM-DD-YYYY day folders)."""
    source_id = {"web": "Xy12AbCweb", "app": "Pq34RsTapp"}[platform]
    for path in sorted(folder.glob("date=*/*.jsonl.gz")):
        day = datetime.strptime(path.parent.name[len("date="):], "%Y-%m-%d")
        epoch = int((day - datetime(1970, 1, 1)).total_seconds())
        tag = hashlib.sha256(f"{layout}|{platform}|{path.parent.name}|{path.name}".encode()).hexdigest()
        if layout == "segment":
            prefix = "exports/" if platform == "web" else ""
            target = folder / f"{prefix}segment-logs/{source_id}/{epoch * 1000}/{epoch + 3600}.{tag[:6]}.gz"
        else:
            label = day.strftime("%m-%d-%Y" if platform == "web" else "%Y-%m-%d")
            uuid = f"{tag[:8]}-{tag[8:12]}-{tag[12:16]}-{tag[16:20]}-{tag[20:32]}"
            target = folder / f"rudder-logs/{source_id}/{label}/{epoch + 3600}.{source_id}.{uuid}.json.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
        if not any(path.parent.iterdir()):
            path.parent.rmdir()


def _copy_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({query}) to '{path}' (header, delimiter ',')")


def write_crm(con: duckdb.DuckDBPyConnection, out: Path, snapshot_days: list[int], cfg: SimConfig) -> None:
    for day in snapshot_days:
        cut = f"timestamp '{cfg.start.isoformat()}' + interval {day + 1} day"
        label = (np.datetime64(cfg.start, "D") + day).astype(str)
        _copy_csv(
            con,
            f"""
            select
                contact_of(c.c) as contact_id,
                case when c.has_customer_id then pi.user_id end as customer_id,
                case when c.is_duplicate then upper(pi.email) else pi.email end as email,
                case when pi.has_phone and not c.is_duplicate
                    then phone_as_typed(c.p, pi.country, c.variant) end as phone,
                first_name(c.p) as first_name,
                last_name(c.p) as last_name,
                lpad(((c.p * 97) % 95000 + 1000)::varchar, 5, '0') as postal_code,
                case when c.card_at < {cut} then pi.card end as loyalty_card_id,
                (c.consent <> coalesce(c.consent_flip_at < {cut}, false))::varchar
                    as marketing_consent,
                {_iso('c.created_at')} as created_at,
                {_iso('greatest(c.created_at, case when c.card_at < ' + cut + ' then c.card_at end, '
                       'case when c.consent_flip_at < ' + cut + ' then c.consent_flip_at end, '
                       'case when c.erased_at < ' + cut + ' then c.erased_at end)')} as updated_at,
                case when c.erased_at < {cut} then {_iso('c.erased_at')} end as erased_at
            from contacts as c
            inner join person_ids as pi on pi.p = c.p
            where c.created_at < {cut}
            order by c.c
            """,
            out / "crm" / "contacts" / f"contacts_{label}.csv",
        )
    months = sorted({str(np.datetime64(cfg.start, "D") + d)[:7] for d in range(cfg.days)})
    for month in months:
        _copy_csv(
            con,
            f"""
            select
                m.m + 1 as event_id,
                contact_of(m.c) as contact_id,
                esp_of(m.c) as esp_subscriber_id,
                'cmp-' || (m.campaign + 1)::varchar as campaign_id,
                email_campaign(m.campaign) as campaign_name,
                k.kind as event_type,
                case when k.kind = 'click' then
                    'https://shop.example/new?utm_source=newsletter&utm_medium=email'
                    || '&utm_campaign=' || email_campaign(m.campaign) || '&eid=' || esp_of(m.c)
                end as url,
                {_iso('m.ts')} as occurred_at
            from mail as m inner join email_kinds as k on k.i = m.kind
            where strftime(m.ts, '%Y-%m') = '{month}'
            order by m.ts, m.m
            """,
            out / "crm" / "email_events" / f"email_events_{month}.csv",
        )
        _copy_csv(
            con,
            f"""
            select
                'r-' || (10000 + n.c)::varchar as response_id,
                contact_of(n.c) as contact_id,
                {_iso('n.ts')} as submitted_at,
                n.score as nps_score,
                case n.score % 4 when 0 then 'Fast delivery' when 1 then ''
                    when 2 then 'Lovely mugs, slow shipping' else 'Great store staff' end
                    as comment
            from nps as n where strftime(n.ts, '%Y-%m') = '{month}'
            """,
            out / "surveys" / f"nps_{month}.csv",
        )


def write_pos(con: duckdb.DuckDBPyConnection, out: Path, cfg: SimConfig) -> None:
    """Store master, then one transactions and one lines file per store and day."""
    _copy_csv(
        con,
        "select store_id, store_name, city, country, timezone from stores order by i",
        out / "pos" / "stores" / "stores.csv",
    )
    con.execute(
        """
        create or replace table sale_amounts as
        select l.t, sum(round(pr.price_eur / r.eur_per_unit, 2) * l.quantity) as total
        from sale_lines as l
        inner join sales as s using (t)
        inner join stores as st on st.i = s.store
        inner join products as pr on pr.i = l.product
        inner join rates as r on r.currency = st.currency
        group by l.t
        """
    )
    con.execute(
        """
        create or replace table pos_out as
        select
            s.*, st.store_id, st.currency, st.timezone,
            st.store_id || '-' || lpad(
                (row_number() over (partition by s.store order by s.local_at, s.t))::varchar,
                7, '0') as transaction_id,
            strftime(s.local_at, '%Y-%m-%d') as local_day,
            a.total
        from sales as s
        inner join stores as st on st.i = s.store
        inner join sale_amounts as a using (t)
        """
    )
    file_key = "p.store_id || '_' || p.local_day as file_key"
    _copy_per_file(
        con,
        f"""
        select
            p.transaction_id,
            p.store_id,
            case when p.bad_date then strftime(p.local_at, '%d/%m/%Y %Hh%M')
                else strftime(p.local_at, '%Y-%m-%d %H:%M:%S') end as occurred_at,
            case when p.card_owner >= 0 then card_of(p.card_owner) end as loyalty_card_id,
            case when p.receipt_email then lower(pi.email) end as receipt_email,
            case when p.bad_amount then split_part(printf('%.2f', p.total), '.', 1) || ',OO'
                else printf('%.2f', p.total) end as total_amount,
            p.currency,
            case when p.card_owner < 0 and not p.receipt_email and p.t % 3 = 0
                then 'cash' else 'card' end as payment_type,
            p.is_return::varchar as is_return,
            {file_key}
        from pos_out as p inner join person_ids as pi on pi.p = p.p
        order by p.transaction_id
        """,
        out / "pos" / "transactions",
    )
    _copy_per_file(
        con,
        f"""
        select
            p.transaction_id,
            row_number() over (partition by l.t order by pr.i, l.quantity) as line_no,
            pr.product_id,
            l.quantity,
            printf('%.2f', round(pr.price_eur / r.eur_per_unit, 2)) as unit_price,
            {file_key}
        from sale_lines as l
        inner join pos_out as p using (t)
        inner join products as pr on pr.i = l.product
        inner join rates as r on r.currency = p.currency
        order by p.transaction_id, line_no
        """,
        out / "pos" / "transaction_lines",
    )


def _copy_per_file(con: duckdb.DuckDBPyConnection, query: str, folder: Path) -> None:
    """One CSV per value of the query's file_key column: FOLDER/<file_key>.csv."""
    staging = folder.parent / f".{folder.name}.partitions"
    shutil.rmtree(staging, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    con.execute("set threads = 1")
    con.execute(
        f"copy ({query}) to '{staging}' (format csv, header, partition_by (file_key), "
        "filename_pattern 'part-{i}')"
    )
    con.execute("reset threads")
    for part in sorted(staging.glob("file_key=*/part-0.csv")):
        part.rename(folder / (part.parent.name.removeprefix("file_key=") + ".csv"))
    shutil.rmtree(staging)


def write_ads(con: duckdb.DuckDBPyConnection, out: Path, cfg: SimConfig, rng: np.random.Generator) -> None:
    """Daily spend per campaign: platform clicks are the tracked visits plus the
    clicks that never loaded the page; impressions follow from a click-through rate."""
    rows = con.execute(
        """
        select c.i, d.day, coalesce(v.visits, 0) as visits
        from campaigns as c
        cross join (select distinct started_at::date as day from sessions) as d
        left join (
            select campaign, started_at::date as day, count(*) as visits
            from sessions where channel in (2, 3, 8) group by 1, 2
        ) as v on v.campaign = c.i and v.day = d.day
        where c.platform <> ''
        order by d.day, c.i
        """
    ).fetchall()
    cid = np.array([r[0] for r in rows], dtype=np.int64)
    visits = np.array([r[2] for r in rows], dtype=np.int64)
    clicks = visits + rng.binomial(visits + 2, 0.12)
    impressions = clicks * rng.integers(40, 120, len(rows)) + rng.integers(0, 500, len(rows))
    factor = rng.uniform(0.8, 1.2, len(rows))
    register(con, "spend_draws", k=np.arange(len(rows)), clicks=clicks, impressions=impressions, factor=factor)
    con.execute(
        "create or replace table spend_keys as select row_number() over () - 1 as k, i, day from "
        "(select c.i, d.day from campaigns as c cross join "
        "(select distinct started_at::date as day from sessions) as d where c.platform <> '' "
        "order by d.day, c.i)"
    )
    months = sorted({str(np.datetime64(cfg.start, "D") + d)[:7] for d in range(cfg.days)})
    for month in months:
        _copy_csv(
            con,
            f"""
            select
                strftime(k.day, '%Y-%m-%d') as date, c.platform, c.account as account_id,
                c.platform || '-' || c.i::varchar as campaign_id,
                upper(c.name[1]) || replace(c.name[2:], '_', ' ') as campaign_name,
                c.source as utm_source, c.medium as utm_medium, c.name as utm_campaign,
                d.impressions, d.clicks,
                printf('%.2f', d.clicks * c.cpc * d.factor / r.eur_per_unit) as spend,
                c.currency
            from spend_keys as k
            inner join spend_draws as d using (k)
            inner join campaigns as c on c.i = k.i
            inner join rates as r on r.currency = c.currency
            where strftime(k.day, '%Y-%m') = '{month}'
            order by k.day, c.i
            """,
            out / "ads" / "spend" / f"spend_{month}.csv",
        )


def reset(out: Path) -> None:
    for sub in ("web", "app", "crm", "pos", "ads", "surveys"):
        shutil.rmtree(out / sub, ignore_errors=True)
