"""Serialise the simulated world into the landing zone of CONTRACT.md.

Python only decides who did what and when (integer keys, numpy arrays); DuckDB
spells identifiers, builds the Segment JSON and the CSV rows. A run writes one
chunk of blocks at a time: each chunk's lines are appended to the files, so
a file holds its rows block after block.
"""

from __future__ import annotations

import hashlib
import shutil
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import numpy as np
import pyarrow as pa

from journey.simulate import landing_sql
from journey.simulate.config import (
    AFFILIATE_COMMISSION_RATE,
    AFFILIATE_COOKIE_DAYS,
    AFFILIATE_FEE_RATE,
    AFFILIATE_NETWORK,
    AFFILIATE_PARTNER_NAMES,
    AFFILIATE_VALIDATION_DAYS,
    CAMPAIGNS,
    CHANNELS,
    EMAIL_CAMPAIGN_NAMES,
    OTHER_COSTS,
    PRODUCT_COSTS,
    PRODUCTS,
    PUSH_CAMPAIGNS,
    STORES,
    SimConfig,
)
from journey.simulate.blocks import Tables
from journey.simulate.crm import EMAIL_EVENTS
from journey.simulate.online import KINDS


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


def register_costs(con: duckdb.DuckDBPyConnection, cfg: SimConfig) -> None:
    """The catalog's cost periods (config.PRODUCT_COSTS) as dated rows."""
    rows = [
        (pid, name, category, cost, currency, (cfg.start + timedelta(days=offset)).isoformat())
        for pid, name, category, cost, currency, offset in PRODUCT_COSTS
    ]
    con.execute(
        "create or replace table product_costs as select product_id, product_name, category,"
        " unit_cost, currency, valid_from::date as valid_from, coalesce(lead(valid_from::date)"
        " over (partition by product_id order by valid_from::date) - 1, date '9999-12-31')"
        " as valid_to from "
        + _values(rows, ["product_id", "product_name", "category", "unit_cost", "currency", "valid_from"])
    )


def write_catalog(con: duckdb.DuckDBPyConnection, out: Path, cfg: SimConfig) -> None:
    """The product master with its cost periods, one file as of the start."""
    _copy_csv(
        con,
        "select product_id, product_name, category, printf('%.2f', unit_cost) as unit_cost,"
        " currency, strftime(valid_from, '%Y-%m-%d') as valid_from"
        " from product_costs order by product_id, valid_from",
        out / "catalog" / "products" / f"products_{cfg.start.isoformat()}.csv",
    )


def register_tables(con: duckdb.DuckDBPyConnection, tables: Tables) -> None:
    """Expose one chunk's simulated tables to DuckDB (blocks.generate)."""
    for name, columns in tables.items():
        register(con, name, **columns)


def _iso(col: str) -> str:
    return f"strftime({col}, '%Y-%m-%dT%H:%M:%S.%g') || 'Z'"


class GzipDays:
    """The gzipped NDJSON files of one source, one per collector day
    (`date=YYYY-MM-DD/part-0.jsonl.gz`), each one gzip stream that grows as
    the blocks' lines arrive. zlib's output depends only on the bytes fed in,
    not on how they are split, so the files are the same whatever the chunk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._open: dict[str, tuple[BinaryIO, Any]] = {}

    def write(self, day: str, data: memoryview) -> None:
        if day not in self._open:
            path = self.folder / f"date={day}" / "part-0.jsonl.gz"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._open[day] = (path.open("wb"), zlib.compressobj(6, zlib.DEFLATED, 31))
        handle, packer = self._open[day]
        handle.write(packer.compress(data))

    def close(self) -> None:
        for handle, packer in self._open.values():
            handle.write(packer.flush())
            handle.close()
        self._open.clear()


def _stream_lines(con: duckdb.DuckDBPyConnection, query: str, files: GzipDays) -> None:
    """Feed the (day, line) rows of a query, ordered by day inside each block,
    to the day files, without turning lines into Python objects: each run of
    one day in a batch is a slice of the Arrow string buffer."""
    reader = con.execute(query).fetch_record_batch(100_000)
    for batch in reader:
        days = batch.column(0).to_numpy(zero_copy_only=False)
        lines = batch.column(1)
        width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
        ends = np.frombuffer(lines.buffers()[1], dtype=width)[lines.offset : lines.offset + len(lines) + 1]
        data = memoryview(lines.buffers()[2])
        cuts = np.concatenate([[0], np.flatnonzero(days[1:] != days[:-1]) + 1, [len(days)]])
        for a, b in zip(cuts[:-1], cuts[1:]):
            files.write(str(days[a]), data[int(ends[a]) : int(ends[b])])


def write_events(con: duckdb.DuckDBPyConnection, cfg: SimConfig, files: dict[str, GzipDays]) -> None:
    """One chunk's web and app events, appended to their day files."""
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
        _stream_lines(
            con,
            f"""
            select
                delivered_at::date as day,
                case when truncated
                    then left(to_json({{{payload}}})::varchar, 60)
                    else to_json({{{payload}}})::varchar end || chr(10) as line
            from ev_delivered where is_app = {platform == "app"}
            order by day, blk, delivered_at, e
            """,
            files[platform],
        )


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


def vendor_layout(folder: Path, platform: str, layout: str) -> None:
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


def _append_csv(part: Path, target: Path) -> None:
    """Add a CSV part's rows to target, which starts with the part's header."""
    data = part.read_bytes()
    if target.exists():
        with target.open("ab") as handle:
            handle.write(data[data.find(b"\n") + 1 :])
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    part.unlink()


def _copy_csv(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    """Append one chunk's rows of a CSV file (the header once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    con.execute("set threads = 1")
    con.execute(f"copy ({query}) to '{part}' (header, delimiter ',')")
    con.execute("reset threads")
    _append_csv(part, path)


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
            order by m.blk, m.ts, m.m
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
            order by n.blk, n.ts, n.c
            """,
            out / "surveys" / f"nps_{month}.csv",
        )


def write_stores(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """The store master file."""
    _copy_csv(
        con,
        "select store_id, store_name, city, country, timezone from stores order by i",
        out / "pos" / "stores" / "stores.csv",
    )


def write_pos(con: duckdb.DuckDBPyConnection, out: Path, done: dict[int, int]) -> None:
    """One chunk's transactions and lines, appended to the file of their store
    and day; transaction numbers go on per store from the `done` earlier ones."""
    register(con, "store_done", store=np.array(list(done)), done=np.array(list(done.values())))
    con.execute(
        """
        create or replace table sale_amounts as
        select l.t, sum(round(pr.price_eur / r.eur_per_unit, 2)::decimal(18, 2) * l.quantity)::double as total
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
            st.store_id || '-' || lpad((sd.done + row_number() over (
                partition by s.store order by s.blk, s.local_at, s.t))::varchar,
                7, '0') as transaction_id,
            strftime(s.local_at, '%Y-%m-%d') as local_day,
            a.total
        from sales as s
        inner join stores as st on st.i = s.store
        inner join store_done as sd on sd.store = s.store
        inner join sale_amounts as a using (t)
        """
    )
    for store, count in con.execute("select store, count(*) from pos_out group by 1").fetchall():
        done[store] += count
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
        _append_csv(part, folder / (part.parent.name.removeprefix("file_key=") + ".csv"))
    shutil.rmtree(staging)


def count_visits(con: duckdb.DuckDBPyConnection) -> None:
    """Keep one chunk's paid visits per campaign and day, for the spend files."""
    con.execute(
        """
        create table if not exists visit_days (campaign bigint, day date, visits bigint);
        insert into visit_days
        select case when channel in (2, 3, 8) then campaign end, started_at::date, count(*)
        from sessions group by all
        """
    )


def write_ads(con: duckdb.DuckDBPyConnection, out: Path, cfg: SimConfig, rng: np.random.Generator) -> None:
    """Daily spend per campaign: platform clicks are the tracked visits plus the
    clicks that never loaded the page; impressions follow from a click-through rate."""
    rows = con.execute(
        """
        select c.i, d.day, coalesce(v.visits, 0) as visits
        from campaigns as c
        cross join (select distinct day from visit_days) as d
        left join (
            select campaign, day, sum(visits) as visits
            from visit_days where campaign is not null group by 1, 2
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
        "(select distinct day from visit_days) as d where c.platform <> '' "
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


def write_affiliates(con: duckdb.DuckDBPyConnection, out: Path, cfg: SimConfig) -> None:
    """One chunk's affiliate network transactions, each version in the file
    of the month it was updated: a pending version an hour after the order,
    the approved or declined one AFFILIATE_VALIDATION_DAYS later when that
    falls inside the period."""
    end = cfg.start_ts + timedelta(days=cfg.days)
    names = ", ".join(f"'{k}': '{v}'" for k, v in AFFILIATE_PARTNER_NAMES.items())
    con.execute(
        f"""
        create or replace table affiliate_versions as
        with clicks as (
            select s.p, s.device, s.started_at, cm.source as partner_id
            from sessions as s
            inner join channels as ch on ch.i = s.channel
            inner join campaigns as cm on cm.i = s.campaign
            where ch.channel = 'affiliates'
        ),
        orders as (
            select order_key, min(blk) as blk, min(ts) as ts, min(revenue) as revenue,
                min(currency) as currency, min(p) as p, min(device) as device
            from ev_full where kind_name = 'order' group by order_key
        ),
        claims as (
            select o.*, c.partner_id, row_number() over (
                partition by o.order_key order by c.started_at desc, c.partner_id) as latest
            from orders as o
            inner join clicks as c
                on c.p = o.p and c.device = o.device and c.started_at <= o.ts
                and c.started_at > o.ts - interval {AFFILIATE_COOKIE_DAYS} day
        ),
        versions as (
            select *, 'pending' as status, ts + interval 1 hour as updated_at from claims where latest = 1
            union all
            select *,
                case when hash(order_key) % 10 = 0 then 'declined' else 'approved' end,
                ts + interval {AFFILIATE_VALIDATION_DAYS} day
            from claims where latest = 1
        )
        select * from versions where updated_at < timestamp '{end.isoformat(sep=" ")}'
        """
    )
    for (month,) in con.execute(
        "select distinct strftime(updated_at, '%Y-%m') from affiliate_versions order by 1"
    ).fetchall():
        _copy_csv(
            con,
            f"""
            select
                '{AFFILIATE_NETWORK}' as network,
                'AW-' || order_key as network_transaction_id,
                partner_id,
                map {{{names}}}[partner_id] as partner_name,
                order_key as order_id,
                printf('%.2f', revenue) as sale_amount,
                printf('%.2f', round(revenue * {AFFILIATE_COMMISSION_RATE}, 2)) as commission_amount,
                printf('%.2f', round(revenue * {AFFILIATE_FEE_RATE}, 2)) as network_fee,
                currency,
                status,
                'ck-' || substr(md5(order_key), 1, 6) as click_ref,
                strftime(ts, '%Y-%m-%dT%H:%M:%SZ') as occurred_at,
                strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') as updated_at
            from affiliate_versions
            where strftime(updated_at, '%Y-%m') = '{month}'
            order by blk, updated_at, order_key
            """,
            out / "affiliates" / "commissions" / f"commissions_{month}.csv",
        )


def write_costs(con: duckdb.DuckDBPyConnection, out: Path, cfg: SimConfig) -> None:
    """Other marketing costs (config.OTHER_COSTS), one file per month of the period."""
    months = sorted({str(np.datetime64(cfg.start, "D") + d)[:7] for d in range(cfg.days)})
    for n, month in enumerate(months):
        rows = [
            (month, group, partner, kind, f"{amount:.2f}", currency, text)
            for group, partner, kind, amount, currency, text, first_only in OTHER_COSTS
            if n == 0 or not first_only
        ]
        con.execute(
            "create or replace temp table month_costs as select * from "
            + _values(rows, ["month", "channel_group", "partner_id", "cost_type", "amount", "currency",
                             "description"])  # fmt: skip
        )
        _copy_csv(con, "select * from month_costs", out / "costs" / f"costs_{month}.csv")


def reset(out: Path) -> None:
    for sub in ("web", "app", "crm", "pos", "ads", "surveys", "catalog", "costs", "affiliates"):
        shutil.rmtree(out / sub, ignore_errors=True)
