"""Independent re-implementations the tests compare the warehouse against."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from journey.warehouse import Workspace


def built_manifest(workspace: Workspace) -> dict:
    """The manifest.json that a build of `workspace` wrote to its target folder."""
    target = workspace.target or workspace.duckdb.parent / "target"
    return json.loads((target / "manifest.json").read_text())


def identifier_hash(salt: str, identifier_type: str, value: str) -> str:
    """The documented hashing rule, written again in Python: sha256("salt|type|value")."""
    return hashlib.sha256(f"{salt}|{identifier_type}|{value}".encode()).hexdigest()


def count_lines(files: list[Path]) -> int:
    total = 0
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            total += sum(1 for _ in handle)
    return total


def distinct_message_ids(files: list[Path]) -> int:
    ids: set[str] = set()
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                try:
                    ids.add(json.loads(line)["messageId"])
                except (json.JSONDecodeError, KeyError):
                    continue
    return len(ids)


def count_csv_records(files: list[Path]) -> int:
    total = 0
    for path in files:
        with path.open(newline="", encoding="utf-8") as handle:
            total += max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    return total


ENTITY_FILES = {
    ("web", "events"): "web/*/*.jsonl.gz",
    ("app", "events"): "app/*/*.jsonl.gz",
    ("crm", "contacts"): "crm/contacts/*.csv",
    ("crm", "email_events"): "crm/email_events/*.csv",
    ("pos", "stores"): "pos/stores/*.csv",
    ("pos", "transactions"): "pos/transactions/*.csv",
    ("pos", "transaction_lines"): "pos/transaction_lines/*.csv",
    ("ads", "spend"): "ads/spend/*.csv",
    ("surveys", "nps_responses"): "surveys/*.csv",
    ("catalog", "products"): "catalog/products/*.csv",
    ("affiliates", "commissions"): "affiliates/commissions/*.csv",
    ("costs", "other_costs"): "costs/*.csv",
}

STAGING_MODEL = {
    ("web", "events"): "stg_web__events",
    ("app", "events"): "stg_app__events",
    ("crm", "contacts"): "stg_crm__contacts",
    ("crm", "email_events"): "stg_crm__email_events",
    ("pos", "stores"): "stg_pos__stores",
    ("pos", "transactions"): "stg_pos__transactions",
    ("pos", "transaction_lines"): "stg_pos__transaction_lines",
    ("ads", "spend"): "stg_ads__spend",
    ("surveys", "nps_responses"): "stg_surveys__nps_responses",
    ("catalog", "products"): "stg_catalog__products",
    ("affiliates", "commissions"): "stg_affiliates__commissions",
    ("costs", "other_costs"): "stg_costs__other_costs",
}


def raw_rows(landing: Path, source: str, entity: str) -> int:
    files = sorted(landing.glob(ENTITY_FILES[(source, entity)]))
    if source in ("web", "app"):
        return count_lines(files)
    return count_csv_records(files)


def load_truth(con: "duckdb.DuckDBPyConnection", sim_dir: Path, salt: str) -> None:
    """Temp tables the truth tests share: the truth tables; truth identifiers
    hashed like the warehouse (truth_ids) and those usable as evidence
    (clean_ids: not junk, shared or test); the people erased in the latest
    CRM snapshot and the identifiers evidence ties to them (erased_ids); and the identifiers each order or store sale record carries
    (record_ids), with the records that carry a clean one (tieable)."""
    truth = sim_dir / "truth"
    latest = sorted((sim_dir / "landing" / "crm" / "contacts").glob("*.csv"))[-1]
    tables = "".join(
        f"create temp table truth_{name} as select * from '{truth / (name + '.parquet')}';\n"
        for name in ("persons", "stages", "sessions", "conversions")
    )
    con.execute(
        f"""
        create temp table truth_ids as
        select t.*, sha256('{salt}|' || identifier_type || '|' || identifier_value)
            as identifier_hash
        from '{truth / "identifiers.parquet"}' as t;
        {tables}
        create temp table erased_people as
        select distinct t.person_id from truth_ids as t
        inner join read_csv('{latest}', all_varchar = true) as c
            on t.identifier_type = 'contact_id' and t.identifier_value = c.contact_id
        where c.erased_at is not null;
        create temp table erased_ids as
        -- what evidence ties to an erased person's CRM contact (a cookie they
        -- never logged in on, or an app they never signed in to, cannot be
        -- known to be theirs, and stays an anonymous visitor)
        select * from truth_ids
        where is_resolvable and evidence_group in (
            select evidence_group from truth_ids
            where identifier_type = 'contact_id'
                and person_id in (select person_id from erased_people)
        );
        create temp table clean_ids as
        select * from truth_ids where not (is_junk or is_shared or is_test);
        create temp table record_ids as
        select 'web' as sales_channel, order_id, 'user_id' as identifier_type, user_id_hash as h
        from staging.stg_web__events where event_name = 'Order Completed'
        union all select 'web', order_id, 'anonymous_id', anonymous_id_hash
        from staging.stg_web__events where event_name = 'Order Completed'
        union all select 'app', order_id, 'user_id', user_id_hash
        from staging.stg_app__events where event_name = 'Order Completed'
        union all select 'app', order_id, 'install_id', anonymous_id_hash
        from staging.stg_app__events where event_name = 'Order Completed'
        union all select 'store', transaction_id, 'loyalty_card', loyalty_card_hash
        from staging.stg_pos__transactions
        union all select 'store', transaction_id, 'email', receipt_email_hash
        from staging.stg_pos__transactions;
        create temp table tieable as
        select distinct r.sales_channel, r.order_id
        from record_ids as r
        inner join clean_ids as c
            on c.identifier_type = r.identifier_type and c.identifier_hash = r.h;
        """
    )


# the marts' build markers (the marker of the intermediate model a mart
# copies by what changed): when a row was last written, which two builds of
# the same files do not share, and which a delivery copied again (its files
# read again, their devices sessionized again) may move without a change
MART_MARKERS = frozenset({"changed_at", "stitched_at", "refreshed_at", "profiled_at"})


def table_differences(
    con: duckdb.DuckDBPyConnection,
    left: str,
    right: str,
    tolerance: float = 1e-9,
    ignore: frozenset[str] = frozenset(),
) -> list[str]:
    """How two tables with the same columns differ, row for row: floating
    point columns may differ by `tolerance` (relative, or absolute below 1);
    the columns named in `ignore` (build markers) are left out. Rows are
    matched after sorting on every column (floats rounded to 6 places).
    Returns one line per difference found (at most 5 listed)."""
    columns = con.execute(f"select column_name, column_type from (describe {left})").fetchall()
    other = con.execute(f"select column_name, column_type from (describe {right})").fetchall()
    if columns != other:
        return [f"columns differ: {columns} against {other}"]
    columns = [(name, kind) for name, kind in columns if name not in ignore]
    floats = {name for name, kind in columns if kind in ("DOUBLE", "FLOAT", "REAL")}
    order = ", ".join(
        f"round({name}, 6)" if name in floats else f'"{name}"' for name, _ in columns
    ) or "1"
    selected = ", ".join(f'"{name}"' for name, _ in columns)
    rows = [
        con.execute(f"select {selected} from {table} order by {order}").fetchall()
        for table in (left, right)
    ]
    if len(rows[0]) != len(rows[1]):
        return [f"{len(rows[0])} rows against {len(rows[1])}"]
    found = []
    for a, b in zip(*rows):
        for (name, _), x, y in zip(columns, a, b):
            both_numbers = x is not None and y is not None and name in floats
            same = x == y or (
                both_numbers and abs(x - y) <= tolerance * max(1.0, abs(x), abs(y))
            )
            if not same:
                found.append(f"{name}: {x!r} against {y!r} in {a!r}")
                break
        if len(found) >= 5:
            break
    return found
