"""Faults real exports carry, each with its expected outcome: a clear message
or a quarantine row with a reason, never a crash and never a silent drop.
One landing zone (the shared example plus every fault below) is built once.
docs/faults.md lists the faults with their outcome and the test that keeps it
true; test_the_fault_table_names_real_tests checks the table against this file."""

from __future__ import annotations

import csv
import gzip
import json
import re
import secrets
import shutil
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import copy_example
from helpers import identifier_hash, raw_rows

from journey.serving import connect_build
from journey.simulate.config import project_root
from journey.warehouse import Workspace, run_dbt

BAD_LINE = '{"messageId": "bad-1", "type": "page", "timestamp": '
SHADOW_LINE = json.dumps({
    "messageId": "shadow-1", "type": "page", "timestamp": "2099-01-01T00:00:00.000Z",
    "receivedAt": "2026-03-20T09:00:00.000Z", "anonymousId": "cookie-shadow",
})  # fmt: skip


def _event(message_id: str, ts: str, received: str | None = None, **extra: object) -> dict:
    event = {
        "messageId": message_id, "type": "page", "anonymousId": f"cookie-{message_id}",
        "timestamp": ts, "sentAt": ts, "receivedAt": received or ts,
        "context": {"page": {"url": "https://shop.example/", "path": "/", "referrer": ""}},
        "properties": {},
    }  # fmt: skip
    event.update(extra)
    return event


def _write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as handle:
        handle.writelines(line + "\n" for line in lines)


def _order(message_id: str, revenue: object, currency: str, **products: object) -> dict:
    return _event(
        message_id, "2026-03-20T10:00:00.000Z", type="track", event="Order Completed",
        userId="u-10442",
        properties={"order_id": f"o-{message_id}", "revenue": revenue, "currency": currency,
                    **products},
    )  # fmt: skip


def _fault_zone(root: Path) -> Path:
    landing = root / "landing"
    copy_example(landing)
    web = landing / "web" / "date=2026-03-20"
    _write_lines(web / "part-0.jsonl.gz", [
        # at-least-once delivery of a line nobody can read
        BAD_LINE, BAD_LINE,
        json.dumps(_order("rev-comma", "12,50", "EUR")),
        json.dumps(_order("rev-chf", 30.0, "CHF")),
        json.dumps(_event("ts-2099", "2099-01-01T10:00:00.000Z", "2026-03-20T10:00:00.000Z")),
        json.dumps(_event("ts-1970", "1970-01-01T00:00:00.000Z", "2026-03-20T10:00:00.000Z")),
        json.dumps(_event("ts-after-received", "2026-03-21T10:00:00.000Z",
                          "2026-03-20T10:00:00.000Z")),
        # batched offline: received 13 days late (staged), 19 days late (over
        # the var event_max_delay_days, 14)
        json.dumps(_event("late-13-days", "2026-03-07T10:00:00.000Z", "2026-03-20T10:00:00.000Z")),
        json.dumps(_event("late-19-days", "2026-03-01T10:00:00.000Z", "2026-03-20T10:00:00.000Z")),
        # a quarantined line delivered twice, then its messageId usable later
        SHADOW_LINE, SHADOW_LINE,
        # orders naming their products: Segment's products[] (a quantity left
        # out counts 1), a single product_id, a product the catalog lacks
        json.dumps(_order("cost-list", 40.0, "EUR", products=[
            {"product_id": "mug-blue", "sku": "MB", "price": 14.5, "quantity": 2},
            {"product_id": "coaster", "sku": "CO", "price": 3.0},
        ])),
        json.dumps(_order("cost-single", 30.0, "EUR", product_id="teapot", quantity=2)),
        json.dumps(_order("cost-unknown", 12.0, "EUR", product_id="lamp")),
    ])  # fmt: skip
    _write_lines(landing / "web" / "date=2026-03-21" / "part-shadow.jsonl.gz", [
        json.dumps(_event("shadow-1", "2026-03-21T08:00:00.000Z")),
    ])  # fmt: skip
    # sources with nothing to report: no ads/ folder at all, a header-only
    # survey file, an empty gzip stream (and the 0-byte file below)
    shutil.rmtree(landing / "ads")
    (landing / "surveys" / "nps_2026-05.csv").write_text("response_id,contact_id,submitted_at,nps_score,comment\n")
    (landing / "web" / "date=2026-03-22").mkdir(parents=True)
    (landing / "web" / "date=2026-03-22" / "none.jsonl.gz").write_bytes(gzip.compress(b""))
    # gzipped files that cannot be read whole: a gzip cut in half, a plain
    # text file named .gz, an empty file (the contract allows it) and a file
    # with one line over DuckDB's 2 MB line limit
    broken = landing / "web" / "date=2026-03-22"
    whole = gzip.compress("".join(
        json.dumps(_event(f"cut-{i}", "2026-03-22T10:00:00.000Z")) + "\n" for i in range(4000)
    ).encode())  # fmt: skip
    (broken / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (broken / "plain.jsonl.gz").write_text(json.dumps(_event("plain-1", "2026-03-22T10:00:00.000Z")) + "\n")
    (broken / "empty.jsonl.gz").write_bytes(b"")
    _write_lines(broken / "long.jsonl.gz", [
        json.dumps(_event("long-1", "2026-03-22T10:00:00.000Z", properties={"blob": "z" * 2_200_000})),
        json.dumps(_event("after-long", "2026-03-22T10:00:00.000Z")),
    ])  # fmt: skip
    # a RudderStack bucket beside the date= partitions (older MM-DD-YYYY days):
    # a mobile track call carrying context.traits, and the client IP as request_ip
    rudder = landing / "app" / "rudder-logs" / "src1" / "03-21-2026"
    tracked = _event("ctx-traits", "2026-03-21T09:00:00.000Z", type="track", event="Product Viewed",
                     anonymousId="inst-ctx", request_ip="198.51.100.7")  # fmt: skip
    tracked["context"] = {"traits": {"email": " Ctx.Traits@Example.org "}, "library": {"name": "x"}}
    _write_lines(rudder / "1774083600.src1.0f0e.json.gz", [json.dumps(tracked)])
    # a long history in the reporting currency, before the rates seed begins
    pos = landing / "pos"
    with (pos / "transactions" / "MRS-01_1995-06-01.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transaction_id", "store_id", "occurred_at", "loyalty_card_id",
                         "receipt_email", "total_amount", "currency", "payment_type", "is_return"])
        writer.writerow(["MRS-01-1995-1", "MRS-01", "1995-06-01 11:00:00", "", "", "10.00",
                         "EUR", "cash", "false"])  # fmt: skip
    with (pos / "transaction_lines" / "MRS-01_1995-06-01.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transaction_id", "line_no", "product_id", "quantity", "unit_price"])
        writer.writerow(["MRS-01-1995-1", "1", "mug-blue", "1", "10.00"])
    header = ["transaction_id", "store_id", "occurred_at", "loyalty_card_id", "receipt_email",
              "total_amount", "currency", "payment_type", "is_return"]  # fmt: skip
    # Paris till times in the spring-forward gap and the fall-back overlap; a
    # sale with a negative quantity; a line whose transaction has not arrived
    with (pos / "transactions" / "MRS-01_2026-03-29.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["MRS-01-GAP", "MRS-01", "2026-03-29 02:30:00", "", "", "5.00", "EUR", "card", "false"])
        writer.writerow(["MRS-01-OVERLAP", "MRS-01", "2026-10-25 02:30:00", "", "", "5.00", "EUR", "card",
                         "false"])  # fmt: skip
        writer.writerow(["MRS-01-NEG", "MRS-01", "2026-03-29 11:00:00", "", "", "5.00", "EUR", "card", "false"])
    with (pos / "transaction_lines" / "MRS-01_2026-03-29.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transaction_id", "line_no", "product_id", "quantity", "unit_price"])
        writer.writerow(["MRS-01-GAP", "1", "coaster", "1", "5.00"])
        writer.writerow(["MRS-01-NEG", "1", "coaster", "-2", "2.50"])
        writer.writerow(["MRS-01-LATE", "1", "coaster", "1", "5.00"])
    # a till file without is_return: its return must not become a purchase
    with (pos / "transactions" / "LYS-01_2026-03-19.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header[:-1])
        writer.writerow(["LYS-01-9001", "LYS-01", "2026-03-19 10:00:00", "", "", "-10.00", "EUR", "card"])
    # a semicolon-delimited till file
    with (pos / "transactions" / "MRS-01_2026-03-21.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerow(["MRS-01-9002", "MRS-01", "2026-03-21 10:00:00", "", "", "5.00", "EUR", "card", "false"])
    # reordered columns and an unknown extra column; and a row with one field
    # too many (an unquoted comma), whose receipt email must reach no log
    with (pos / "transactions" / "LON-02_2026-03-22.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["till_no", *reversed(header)])
        writer.writerow(["7", "false", "card", "GBP", "12.00", "", "LC-REORDER", "2026-03-22 11:00:00",
                         "LON-02", "LON-02-9003"])  # fmt: skip
        handle.write("8,false,card,GBP,13.00,leak.test@example.org,,2026-03-22 12:00:00,LON-02,"
                     "LON-02-9004,Doe\n")
    # product costs, commissions and other costs with faults: an unreadable
    # cost, an unknown currency, a re-exported product row; an unknown status,
    # an unreadable commission, an order id restated twice; a month that is
    # not YYYY-MM, a channel group GA4 does not have, a re-exported month
    with (landing / "catalog" / "products" / "products_2026-03-20.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["product_id", "product_name", "category", "unit_cost", "currency", "valid_from"])
        writer.writerow(["vase", "Vase", "decor", "4,20", "EUR", "2026-01-01"])
        writer.writerow(["bowl", "Bowl", "tableware", "3.00", "CHF", "2026-01-01"])
        writer.writerow(["coaster", "Cork coaster", "tableware", "1.15", "EUR", "2026-01-01"])
    with (landing / "affiliates" / "commissions" / "commissions_2026-04.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["network", "network_transaction_id", "partner_id", "partner_name", "order_id",
                         "sale_amount", "commission_amount", "network_fee", "currency", "status",
                         "click_ref", "occurred_at", "updated_at"])  # fmt: skip
        writer.writerow(["awin", "AW-5600", "cashbackworld", "Cashback World", "100300", "20.00",
                         "1.60", "", "EUR", "locked", "ck-1", "2026-03-25T10:00:00Z",
                         "2026-03-25T11:00:00Z"])  # fmt: skip
        writer.writerow(["awin", "AW-5601", "cashbackworld", "Cashback World", "100301", "20.00",
                         "n/a", "0.20", "EUR", "pending", "ck-2", "2026-03-25T10:00:00Z",
                         "2026-03-25T11:00:00Z"])  # fmt: skip
        writer.writerow(["awin", "AW-5530", "vouchercodes", "Voucher Codes", "100877", "14.50", "1.16",
                         "", "EUR", "pending", "ck-a07", "2026-03-16T08:00:00Z",
                         "2026-03-16T09:00:00Z"])  # fmt: skip
    with (landing / "costs" / "costs_2026-03_v2.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "channel_group", "partner_id", "cost_type", "amount", "currency",
                         "description"])  # fmt: skip
        writer.writerow(["03/2026", "Email", "", "platform_fee", "49.00", "EUR", "bad month"])
        writer.writerow(["2026-03", "Influencers", "", "flat_fee", "300.00", "EUR", "no such group"])
        writer.writerow(["2026-03", "Email", "", "platform_fee", "59.00", "EUR",
                         "email platform subscription"])  # fmt: skip
    # a survey export that is mostly unusable
    with (landing / "surveys" / "nps_2026-04.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "contact_id", "submitted_at", "nps_score", "comment"])
        for i in range(6):
            writer.writerow([f"bad-{i}", "C-5521", "not a date", "9", "x"])
    return landing


@dataclass
class Faults:
    """The fault zone built once (with a random salt), and its docs generated."""

    con: duckdb.DuckDBPyConnection
    result: object
    statuses: dict[str, str]
    workspace: Workspace
    started: float
    docs_generated: bool


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    started = time.time() - 1
    root = tmp_path_factory.mktemp("faults")
    landing = _fault_zone(root)
    workspace = Workspace(landing=landing, duckdb=root / "faults.duckdb", salt="salt-" + secrets.token_hex(12))
    result = run_dbt(workspace, ["build"])
    statuses = {str(r.node.name): str(r.status) for r in result.result or []}
    docs = bool(result.success) and run_dbt(workspace, ["docs", "generate", "--static"]).success
    con = connect_build(workspace.duckdb)
    yield Faults(con, result, statuses, workspace, started, docs)
    con.close()


def _reason(con: duckdb.DuckDBPyConnection, model: str, key: str, value: str) -> str | None:
    row = con.execute(
        f"select quarantine_reason from staging.{model} where {key} = ? and copy_number = 1"
        if "events" in model
        else f"select quarantine_reason from staging.{model} where {key} = ?",
        [value],
    ).fetchone()
    assert row is not None, f"{value} is missing from {model}"
    return row[0]


def test_the_build_passes_with_every_fault(faults: Faults) -> None:
    failed = {n: s for n, s in faults.statuses.items() if s not in ("success", "pass", "warn", "no-op")}
    assert faults.result.success and failed == {}


def test_a_bad_line_delivered_twice_is_a_duplicate(faults: Faults) -> None:
    con = faults.con
    rows = con.execute(
        "select count(*), count(*) filter (where is_duplicate), "
        "count(*) filter (where quarantine_reason = 'line is not valid JSON') "
        "from staging.base_web__events where source_file like '%date=2026-03-20%' and not is_valid_json"
    ).fetchone()
    assert rows == (2, 1, 1)


def test_a_copy_of_a_quarantined_line_hides_no_usable_one(faults: Faults) -> None:
    # the later usable receipt of shadow-1 is its first usable one: it is staged
    rows = faults.con.execute(
        "select source_file like '%part-shadow%', copy_number, quarantine_reason is null, is_duplicate "
        "from staging.base_web__events where message_id = 'shadow-1' order by 1, 2"
    ).fetchall()
    assert rows == [(False, 1, False, False), (False, 2, True, True), (True, 1, True, False)]
    staged = "select count(*) from staging.stg_web__events where message_id = 'shadow-1'"
    assert faults.con.execute(staged).fetchone()[0] == 1


def test_an_order_with_an_unreadable_revenue_or_no_rate_is_quarantined(faults: Faults) -> None:
    con = faults.con
    assert _reason(con, "base_web__events", "message_id", "rev-comma") == "missing or unparseable revenue"
    assert _reason(con, "base_web__events", "message_id", "rev-chf") == "no EUR rate for the currency and day"
    assert con.execute(
        "select count(*) from marts.fct_conversions where order_id in ('o-rev-comma', 'o-rev-chf')"
    ).fetchone()[0] == 0


def test_impossible_timestamps_are_quarantined(faults: Faults) -> None:
    con = faults.con
    assert _reason(con, "base_web__events", "message_id", "ts-2099").startswith(
        "timestamp after the build day + 1 days"
    )
    assert _reason(con, "base_web__events", "message_id", "ts-1970") == (
        "timestamp before 1990-01-01 (var earliest_valid_date)"
    )
    assert _reason(con, "base_web__events", "message_id", "ts-after-received") == (
        "timestamp after receivedAt (var event_clock_skew_minutes)"
    )
    assert _reason(con, "base_web__events", "message_id", "late-19-days") == (
        "received more than event_max_delay_days after its timestamp (var event_max_delay_days)"
    )
    assert _reason(con, "base_web__events", "message_id", "late-13-days") is None
    # no customer's recency is moved to the year 2099
    assert con.execute("select max(recency_days) from marts.mart_customer_rfm").fetchone()[0] < 400


def test_the_reporting_currency_converts_to_itself_on_every_date(faults: Faults) -> None:
    con = faults.con
    row = con.execute(
        "select quarantine_reason, total_amount_eur from staging.base_pos__transactions "
        "where transaction_id = 'MRS-01-1995-1'"
    ).fetchone()
    assert row == (None, 10)
    assert con.execute(
        "select revenue_eur from marts.fct_conversions where order_id = 'MRS-01-1995-1'"
    ).fetchone()[0] == 10


def test_vendor_fields_of_a_rudderstack_file_are_read(faults: Faults) -> None:
    con = faults.con
    row = con.execute(
        "select partition_date, email_hash, ip_hash from staging.stg_app__events "
        "where message_id = 'ctx-traits'"
    ).fetchone()
    assert str(row[0]) == "2026-03-21"
    assert row[1] == identifier_hash(faults.workspace.salt, "email", "ctx.traits@example.org")
    assert row[2] == identifier_hash(faults.workspace.salt, "ip", "198.51.100.7")


def test_a_mostly_quarantined_entity_warns_with_its_share_and_reason(faults: Faults) -> None:
    con = faults.con
    assert faults.statuses["assert_entities_are_mostly_staged"] == "warn"
    rows = con.execute(
        "select source_name, entity, quarantined_share, top_reason "
        "from dbt_test__audit.assert_entities_are_mostly_staged"
    ).fetchall()
    assert rows == [("surveys", "nps_responses", 0.857, "missing or unparseable submitted_at")]


def test_every_raw_row_of_the_fault_zone_is_accounted_for(faults: Faults) -> None:
    con, landing = faults.con, faults.workspace.landing
    for source_name, entity, rows, staged, duplicates, quarantined, erased in con.execute(
        "select source_name, entity, rows_in_files, staged_rows, duplicate_rows, quarantined_rows, "
        "erased_rows from marts.rpt_row_accounting"
    ).fetchall():
        assert rows == staged + duplicates + quarantined + erased, (source_name, entity)
        if source_name in ("web", "app"):
            expected = sum(_gzip_rows(path) for path in (landing / source_name).rglob("*.gz"))
        else:
            expected = raw_rows(landing, source_name, entity)
        assert rows == expected, (source_name, entity)


def _gzip_rows(path: Path) -> int:
    """The rows a gzipped file owes the row accounting, counted with zlib: one
    per line it can be read to (DuckDB's 2 MB line limit), plus one for the
    rest when it is not gzip, cut short, or has a longer line."""
    data = path.read_bytes()
    if not data:
        return 0
    if data[:2] != b"\x1f\x8b":
        return 1
    stream = zlib.decompressobj(wbits=31)
    lines = [line for line in stream.decompress(data).split(b"\n") if line]
    fitting = [line for line in lines if len(line) < 2_000_000]
    return len(fitting) + (not stream.eof or len(fitting) < len(lines))


def test_a_source_with_nothing_to_report_or_no_folder_builds(faults: Faults) -> None:
    """The contract lets a source ship a header-only CSV or an empty file, or
    have no folder at all (this zone has no ads/)."""
    rows = dict(faults.con.execute(
        "select source_name || '.' || entity, (rows_in_files, files) from marts.rpt_row_accounting"
    ).fetchall())  # fmt: skip
    assert rows["ads.spend"] == (0, 0)
    assert faults.con.execute("select count(*) from marts.mart_channel_performance").fetchone()[0] > 0
    assert faults.con.execute("select count(*) from marts.dim_persons").fetchone()[0] > 0
    # the header-only survey file and the empty gzip stream hold no row
    assert faults.con.execute(
        "select count(*) from staging.base_surveys__nps_responses where source_file like '%nps_2026-05%'"
    ).fetchone()[0] == 0
    assert faults.con.execute(
        "select count(*) from staging.base_web__events where source_file like '%none.jsonl.gz'"
    ).fetchone()[0] == 0


def test_costs_and_commissions_with_faults_are_quarantined_or_superseded(faults: Faults) -> None:
    reasons = dict(
        faults.con.execute(
            "select coalesce(product_id, '') || '/' || coalesce(currency, ''), quarantine_reason"
            " from staging.base_catalog__products where quarantine_reason is not null"
        ).fetchall()
    )
    assert reasons == {"vase/EUR": "unparseable unit_cost", "bowl/CHF": "currency not in the currency_rates seed"}
    # the coaster's row of the later file supersedes the earlier file's
    assert faults.con.execute(
        "select unit_cost from staging.stg_catalog__products where product_id = 'coaster'"
    ).fetchall() == [(Decimal("1.1500"),)]
    reasons = dict(
        faults.con.execute(
            "select network_transaction_id, quarantine_reason from staging.base_affiliates__commissions"
            " where quarantine_reason is not null"
        ).fetchall()
    )
    assert reasons == {
        "AW-5600": "status not pending, approved or declined",
        "AW-5601": "unparseable commission_amount",
    }
    # a pending version of AW-5530 older than its declined one changes nothing
    assert faults.con.execute(
        "select status from staging.stg_affiliates__commissions where network_transaction_id = 'AW-5530'"
    ).fetchall() == [("declined",)]
    reasons = dict(
        faults.con.execute(
            "select description, quarantine_reason from staging.base_costs__other_costs"
            " where quarantine_reason is not null"
        ).fetchall()
    )
    assert reasons == {
        "bad month": "unparseable month (YYYY-MM)",
        "no such group": "channel_group not a GA4 default channel group",
    }
    # the re-exported month's subscription replaces the first export's
    assert faults.con.execute(
        "select amount_eur from staging.stg_costs__other_costs where channel_group = 'Email'"
    ).fetchall() == [(Decimal("59.00"),)]


def test_an_order_costs_its_lines_at_the_costs_of_its_day(faults: Faults) -> None:
    """On 20 March the blue mug costs 5.60 (5.20 until 9 March), the coaster
    1.15 (the later products file supersedes 1.10), the teapot 8.00 GBP; a
    lamp has no cost, so its order has no margin and is reported."""
    margins = dict(
        (order, (cost, margin))
        for order, cost, margin in faults.con.execute(
            "select order_id, cost_of_goods_eur, gross_margin_eur from marts.fct_conversions"
            " where order_id like 'o-cost-%'"
        ).fetchall()
    )
    gbp = faults.con.execute(
        "select eur_per_unit from reference.currency_rates where currency = 'GBP'"
        " and date '2026-03-20' between valid_from and valid_to"
    ).fetchone()[0]
    teapots = (2 * Decimal("8.00") * gbp).quantize(Decimal("0.01"))
    assert margins == {
        "o-cost-list": (Decimal("12.35"), Decimal("27.65")),  # 2 x 5.60 + 1.15
        "o-cost-single": (teapots, Decimal("30.00") - teapots),
        "o-cost-unknown": (None, None),
    }
    reported = faults.con.execute(
        "select cost_issue, product_id, product_lines, conversions from marts.rpt_unknown_product_costs"
        " where product_id = 'lamp'"
    ).fetchall()
    assert reported == [("product not in the catalog", "lamp", 1, 1)]


def test_till_times_at_a_dst_change_are_flagged(faults: Faults) -> None:
    rows = dict(faults.con.execute(
        "select transaction_id, (cast(occurred_at as varchar), local_time_issue) "
        "from staging.stg_pos__transactions where transaction_id like 'MRS-01-%' "
        "and cast(occurred_at_local as date) in ('2026-03-29', '2026-10-25')"
    ).fetchall())  # fmt: skip
    assert rows == {
        "MRS-01-GAP": ("2026-03-29 01:30:00", "nonexistent"),  # 02:30 never showed in Paris
        "MRS-01-OVERLAP": ("2026-10-25 01:30:00", "ambiguous"),  # the second 02:30, CET
        "MRS-01-NEG": ("2026-03-29 09:00:00", None),
    }


def test_a_negative_quantity_on_a_sale_is_quarantined(faults: Faults) -> None:
    assert _reason(faults.con, "base_pos__transaction_lines", "transaction_id", "MRS-01-NEG") == (
        "negative quantity on a sale that is not a return"
    )
    # a return's negative line is its own
    assert _reason(faults.con, "base_pos__transaction_lines", "transaction_id", "LON-02-0000416") is None


def test_a_till_line_waits_for_its_transaction(faults: Faults) -> None:
    """The lines file arrived before its transactions file: the line waits with
    a reason (and the build, its relationships test included, passes). That it
    is staged once its transaction arrives: test_deployment.py."""
    assert _reason(faults.con, "base_pos__transaction_lines", "transaction_id", "MRS-01-LATE") == (
        "waiting for its transaction (no till file holds it yet)"
    )


def _readable_lines(path: Path) -> list[bytes]:
    """The lines of a gzip file that can be decompressed, the last one maybe
    cut; independent of DuckDB."""
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return []
    text = zlib.decompressobj(wbits=31).decompress(data)
    return [line for line in text.split(b"\n") if line]


def test_gzip_files_that_cannot_be_read_whole_are_accounted_for(faults: Faults) -> None:
    con = faults.con
    broken = faults.workspace.landing / "web" / "date=2026-03-22"
    rows = dict(con.execute(
        "select regexp_extract(source_file, '[^/]+$'), list(quarantine_reason order by message_id) "
        "from staging.base_web__events where source_file like '%date=2026-03-22%' group by 1"
    ).fetchall())  # fmt: skip
    partly = "gzip file only partly readable (cut short, or a line over 2 MB): the rest of it is lost"
    # the cut file: every whole line it still holds staged, the cut one
    # quarantined, and the rest of the file one row with a reason
    readable = _readable_lines(broken / "cut.jsonl.gz")
    assert 1000 < len(readable) < 3000
    assert sorted(rows["cut.jsonl.gz"], key=str) == sorted(
        [None] * (len(readable) - 1) + ["line is not valid JSON", partly], key=str
    )
    assert rows["plain.jsonl.gz"] == ["file is not gzip-compressed (named .gz)"]
    assert "empty.jsonl.gz" not in rows  # holds nothing, owes nothing
    # the line over the limit is lost with a reason, the next line staged
    assert len(_readable_lines(broken / "long.jsonl.gz")) == 2
    assert rows["long.jsonl.gz"] == [None, partly]
    assert con.execute(
        "select count(*) from staging.stg_web__events where message_id = 'after-long'"
    ).fetchone()[0] == 1


def test_csv_columns_are_matched_by_header_name(faults: Faults) -> None:
    con = faults.con
    assert _reason(con, "base_pos__transactions", "transaction_id", "LYS-01-9001") == (
        "file lacks the required column is_return (or it is empty in every row)"
    )
    assert con.execute(
        "select count(*) from marts.fct_conversions where order_id = 'LYS-01-9001'"
    ).fetchone()[0] == 0
    semicolon = con.execute(
        "select quarantine_reason from staging.base_pos__transactions "
        "where source_file like '%MRS-01_2026-03-21.csv'"
    ).fetchall()
    assert semicolon == [("semicolon-delimited file (the contract's CSV is comma-separated)",)]
    row = con.execute(
        "select quarantine_reason, total_amount, currency, loyalty_card_hash, is_return "
        "from staging.base_pos__transactions where transaction_id = 'LON-02-9003'"
    ).fetchone()
    assert row == (None, 12, "GBP", identifier_hash(faults.workspace.salt, "loyalty_card", "LC-REORDER"), False)
    assert _reason(con, "base_pos__transactions", "transaction_id", "LON-02-9004") == (
        "row has more fields than the header (an unquoted comma?)"
    )


def test_no_raw_value_of_a_faulty_row_reaches_a_log(faults: Faults) -> None:
    landing = faults.workspace.landing
    logs = list((landing.parent / "target").rglob("*.log"))
    assert logs
    assert not [str(p) for p in logs if b"leak.test@example.org" in p.read_bytes()]


def test_the_fault_table_names_real_tests() -> None:
    """docs/faults.md: every row's test exists in this file, and every test of
    this file but the build and table checks is in the table."""
    table = (project_root() / "docs" / "faults.md").read_text()
    named = set(re.findall(r"`(test_[a-z0-9_]+)`", table))
    defined = set(re.findall(r"^def (test_[a-z0-9_]+)", Path(__file__).read_text(), re.M))
    assert named - defined == set()
    assert defined - named <= {"test_the_build_passes_with_every_fault", "test_the_fault_table_names_real_tests"}


SKIPPED = {".git", ".venv", "node_modules", ".evidence"}


def _written_files(roots: list[Path], since: float) -> list[Path]:
    """Every file under the first root, and those written since `since` under
    the others (the project folder, which the other test worker writes too)."""
    found = []
    for root in roots:
        for path in root.rglob("*"):
            try:
                if SKIPPED.intersection(path.parts) or not path.is_file():
                    continue
                if root != roots[0] and path.stat().st_mtime < since:
                    continue
            except FileNotFoundError:  # replaced while we looked
                continue
            found.append(path)
    return found


def _holds(path: Path, secret: bytes) -> bool:
    try:
        return secret in path.read_bytes()
    except FileNotFoundError:
        return False


def test_no_written_file_holds_the_salt(faults: Faults) -> None:
    """The salt reaches DuckDB through the connection (the journey.serving
    plugin), so no file that the build or the docs write holds it."""
    salt = faults.workspace.salt
    assert faults.docs_generated
    # the salt did reach the database: Sam's account hashes with it
    linked = faults.con.execute(
        "select count(*) from marts.bridge_person_identifiers "
        "where identifier_type = 'user_id' and identifier_hash = ?",
        [identifier_hash(salt, "user_id", "u-10442")],
    ).fetchone()[0]
    assert linked == 1
    files = _written_files([faults.workspace.duckdb.parent, project_root()], faults.started)
    assert len(files) > 50 and any(p.name == "static_index.html" for p in files)
    assert any(p.name == "dbt.log" for p in files) and any(p.name == "manifest.json" for p in files)
    assert [str(p) for p in files if _holds(p, salt.encode())] == []
