"""The Evidence dashboards: `build:strict` over the test warehouse (opened
read-only, telemetry off), every page opened in headless Chromium, and the
figures it shows compared with the marts, cell by cell. The dbt exposures must
name exactly the marts each page reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from helpers import built_manifest
from journey.browser import dump_dom, serve
from journey.dashboards import PROJECT, build, page_marts, source_marts
from journey.serving import BUILD_SUFFIX
from journey.warehouse import Workspace

PAGES = ("index", "funnel", "channels", "profit", "lifecycle", "identity")


class _PageText(HTMLParser):
    """The tables of a page (header and cell texts) and its text as one line."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[list[str]]]] = []
        self.words: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        role = dict(attrs).get("role")
        if tag == "table":
            self.tables.append({"header": [], "rows": []})  # header: its first row
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and role in ("cell", "columnheader"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row:
            table = self.tables[-1]
            table["rows" if table["header"] else "header"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        self.words.extend(data.split())

    def table(self, header: list[str]) -> list[list[str]]:
        for table in self.tables:
            if table["header"] and table["header"][0] == header:
                return table["rows"]
        found = [t["header"][0] for t in self.tables if t["header"]]
        raise AssertionError(f"no table with header {header}; the page has {found}")

    @property
    def text(self) -> str:
        return " ".join(self.words)


def _formats(value: float | int | Decimal | None, decimals: int, pct: bool = False) -> set[str]:
    """How Evidence (JavaScript's Intl.NumberFormat) prints a value: thousands
    separators, `decimals` places, half away from zero; a value within 1e-9 of
    a tie may land either way in binary floating point, so both are allowed."""
    if value is None:
        return {"-"}
    number = Decimal(str(value)) * (100 if pct else 1)
    quantum = Decimal(1).scaleb(-decimals)
    options = {number.quantize(quantum, rounding=ROUND_HALF_UP)}
    tie = (number / quantum) % 1
    if abs(tie - Decimal("0.5")) < Decimal("1e-9"):
        options.add(number.quantize(quantum, rounding=ROUND_HALF_EVEN))
        options.add((number - quantum).quantize(quantum, rounding=ROUND_HALF_UP))
    return {f"{o:,.{decimals}f}" + ("%" if pct else "") for o in options}


def _assert_rows(shown: list[list[str]], expected: list[tuple[list[str], list[set[str]]]]) -> None:
    """Rows of a table: a key part that must match exactly, then formatted figures."""
    assert len(shown) == len(expected), (len(shown), len(expected))
    for row, (keys, figures) in zip(shown, expected):
        assert row[: len(keys)] == keys, (row, keys)
        for cell, options in zip(row[len(keys):], figures):
            assert cell in options, (row, keys, cell, options)


@pytest.fixture(scope="module")
def site(sim_build: tuple[Workspace, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("dashboards")
    before = sim_build[0].duckdb.stat().st_mtime_ns
    built = build(sim_build[0].duckdb, workdir=workdir, strict=True)
    assert sim_build[0].duckdb.stat().st_mtime_ns == before, "the warehouse was written to"
    return built


def _render(site: Path) -> dict[str, _PageText]:
    """Every page of a built site, as headless Chromium shows it."""
    parsed = {}
    with serve(site) as base:
        for page in PAGES:
            parser = _PageText()
            parser.feed(dump_dom(f"{base}/{'' if page == 'index' else page}", budget_ms=30_000))
            parsed[page] = parser
    return parsed


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, _PageText]:
    return _render(site)


@pytest.fixture(scope="module")
def warehouse(sim_build: tuple[Workspace, dict]) -> Iterator[duckdb.DuckDBPyConnection]:
    """This module's own read-only connection, closed at its end: the session's
    would stay open in this process and stop later tests' dbt runs (test_docs)
    from opening the file with another configuration."""
    con = duckdb.connect(str(sim_build[0].duckdb), read_only=True)
    yield con
    con.close()


def test_exposures_name_the_marts_each_page_reads(sim_build: tuple[Workspace, dict]) -> None:
    exposures = {
        node["config"]["meta"].get("evidence_page"): {dep.split(".")[-1] for dep in node["depends_on"]["nodes"]}
        for node in built_manifest(sim_build[0])["exposures"].values()
        if node["type"] == "dashboard"
    }
    assert exposures == page_marts()
    assert set(exposures) == set(PAGES)
    # no source query extracted for nothing
    pages = (PROJECT / "pages").glob("*.md")
    queried = set().union(*(re.findall(r"\bwarehouse\.(\w+)", page.read_text()) for page in pages))
    assert queried == set(source_marts())


def test_the_build_is_strict_read_only_and_without_telemetry(site: Path) -> None:
    settings = json.loads((PROJECT / "evidence.settings.json").read_text())
    assert settings["send_anonymous_usage_stats"] == "no"
    package = json.loads((PROJECT / "package.json").read_text())
    assert package["scripts"]["build:strict"] == "evidence build:strict"
    for page in PAGES:
        html = site / ("index.html" if page == "index" else f"{page}.html")
        assert html.exists() or (site / page / "index.html").exists(), page


def _assert_headline_figures(page: _PageText, warehouse: duckdb.DuckDBPyConnection) -> None:
    persons, known, customers = warehouse.execute(
        "select count(*), count(*) filter (where is_known), count(*) filter (where orders_count > 0) "
        "from marts.dim_persons"
    ).fetchone()
    (sessions,) = warehouse.execute("select count(*) from marts.fct_sessions").fetchone()
    purchases, revenue = warehouse.execute(
        "select count(*) filter (where conversion_type = 'purchase'), "
        "sum(revenue_eur) filter (where conversion_type in ('purchase', 'return')) from marts.fct_conversions"
    ).fetchone()
    for title, value, decimals in (
        ("Persons", persons, 0), ("Known persons", known, 0), ("Customers", customers, 0),
        ("Sessions", sessions, 0), ("Purchases", purchases, 0), ("Net revenue (EUR)", revenue, 2),
    ):  # fmt: skip
        assert any(f"{title} {shown}" in page.text for shown in _formats(value, decimals)), (title, value)


def test_the_home_page_shows_the_headline_figures(
    pages: dict[str, _PageText], warehouse: duckdb.DuckDBPyConnection
) -> None:
    _assert_headline_figures(pages["index"], warehouse)


def test_the_dashboards_build_over_the_example_landing_zone(
    example_warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Not only the simulator's zone: the hand-written example (a few persons,
    empty tables such as map_person_ids) builds strictly too."""
    (path,) = example_warehouse.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    served = Path(path.removesuffix(BUILD_SUFFIX))  # the example_warehouse fixture opens the build file
    pages = _render(build(served, workdir=tmp_path / "dashboards", strict=True))
    _assert_headline_figures(pages["index"], example_warehouse)
    for page in PAGES[1:]:
        assert pages[page].tables, f"{page}: no table rendered"


def test_the_funnel_page_shows_the_funnel_mart(
    pages: dict[str, _PageText], warehouse: duckdb.DuckDBPyConnection
) -> None:
    steps = warehouse.execute(
        "select step_order, step, sum(persons) from marts.mart_funnel where breakdown = 'all' "
        "group by all order by step_order"
    ).fetchall()
    assert len(steps) >= 2
    first = steps[0][2]
    expected = []
    for i, (order, step, count) in enumerate(steps):
        previous = _formats(count / steps[i - 1][2], 1, pct=True) if i else {"-"}
        expected.append(([str(order), step], [_formats(count, 0), previous, _formats(count / first, 1, pct=True)]))
    _assert_rows(
        pages["funnel"].table(["#", "Step", "Person-weeks", "From previous step", "From first step"]), expected
    )
    stops = warehouse.execute(
        "select last_step, coalesce(dropped_before_step, '(completed)'), count(*), "
        "count(*) filter (where is_cart_abandoned) from marts.mart_funnel_drop_offs "
        "group by all order by min(last_step_order)"
    ).fetchall()
    _assert_rows(
        pages["funnel"].table(["Last step", "Dropped before", "Attempts", "Cart abandonments"]),
        [([a, b], [_formats(c, 0), _formats(d, 0)]) for a, b, c, d in stops],
    )


def test_the_channel_page_shows_every_attribution_model_side_by_side(
    pages: dict[str, _PageText], warehouse: duckdb.DuckDBPyConnection
) -> None:
    models = ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
              "markov", "shapley"]  # fmt: skip
    assert {m for (m,) in warehouse.execute(
        "select distinct attribution_model from marts.fct_attribution").fetchall()} == set(models)  # fmt: skip
    figures = warehouse.execute(
        "select channel_group, attribution_model, sum(revenue_eur), sum(conversions) "
        "from marts.mart_channel_performance group by all"
    ).fetchall()
    channels = sorted({row[0] for row in figures})
    revenue = {(c, m): r for c, m, r, _ in figures}
    conversions = {(c, m): n for c, m, _, n in figures}
    _assert_rows(
        pages["channels"].table(["Channel", *models]),
        [([c], [_formats(revenue[c, m], 2) for m in models]) for c in channels],
    )
    # the conversions table has the same header: the second one (each table is
    # in the DOM twice, the copy is for Evidence's full-screen view)
    tables: list[list[list[str]]] = []
    for table in pages["channels"].tables:
        if table["header"] and table["header"][0] == ["Channel", *models] and table["rows"] not in tables:
            tables.append(table["rows"])
    assert len(tables) == 2
    _assert_rows(tables[1], [([c], [_formats(conversions[c, m], 1) for m in models]) for c in channels])
    spend = warehouse.execute(
        "select channel_group, sum(spend_eur), sum(impressions), sum(clicks), sum(sessions) "
        "from marts.mart_channel_performance where attribution_model = 'last_touch' "
        "group by all order by 2 desc, 1"
    ).fetchall()
    _assert_rows(
        pages["channels"].table(["Channel", "Spend (EUR)", "Impressions", "Clicks", "Sessions"]),
        [([c], [_formats(s, 2), _formats(i, 0), _formats(k, 0), _formats(n, 0)]) for c, s, i, k, n in spend],
    )


def test_the_profit_page_shows_poas_per_partner_and_customer_value(
    pages: dict[str, _PageText], warehouse: duckdb.DuckDBPyConnection
) -> None:
    """POAS per partner under every model, the investment per partner, and
    the customers' predicted value by acquisition channel and RFM segment,
    each as SQL over the marts gives it."""
    models = ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based",
              "markov", "shapley"]  # fmt: skip
    figures = warehouse.execute(
        "select channel_group, coalesce(partner_id, '(channel)'), attribution_model,"
        " sum(attributed_gross_margin_eur) / sum(investment_eur)"
        " from marts.mart_partner_profitability group by 1, 2, 3 having sum(investment_eur) > 0"
    ).fetchall()
    partners = sorted({(g, p) for g, p, _, _ in figures})
    poas = {(g, p, m): v for g, p, m, v in figures}
    assert len(partners) >= 5
    _assert_rows(
        pages["profit"].table(["Channel", "Partner", *models]),
        [([g, p], [_formats(poas[g, p, m], 2) for m in models]) for g, p in partners],
    )
    investment = warehouse.execute(
        "select channel_group, coalesce(partner_id, '(channel)'), sum(investment_eur), sum(media_spend_eur),"
        " sum(commission_eur), sum(other_costs_eur), sum(pending_commission_eur),"
        " sum(network_claimed_conversions) from marts.mart_partner_profitability"
        " where attribution_model = 'last_touch' group by 1, 2 having sum(investment_eur) > 0 order by 3 desc"
    ).fetchall()
    _assert_rows(
        pages["profit"].table(["Channel", "Partner", "Investment (EUR)", "Media spend", "Commissions and fees",
                               "Other costs", "Pending commissions", "Network's claims"]),
        [([g, p], [*(_formats(v, 2) for v in row[:5]), _formats(row[5], 0)]) for g, p, *row in investment],
    )  # fmt: skip
    for key, header, sql in (
        ("acquisition_channel", "Acquisition channel",
         "left join marts.dim_persons using (person_id)"),
        ("rfm_segment", "RFM segment", "left join marts.mart_customer_rfm using (person_id)"),
    ):  # fmt: skip
        default = "Unknown" if key == "acquisition_channel" else "Unscored"
        value = warehouse.execute(
            f"select coalesce({key}, '{default}'), count(*), avg(p_alive), sum(predicted_revenue_eur),"
            f" sum(predicted_gross_margin_eur) from marts.mart_customer_value {sql} group by 1 order by 1"
        ).fetchall()
        _assert_rows(
            pages["profit"].table([header, "Customers", "Mean P(alive)", "Predicted revenue (EUR)",
                                   "Predicted gross margin (EUR)"]),
            [([k], [_formats(n, 0), _formats(a, 3), _formats(r, 2), _formats(m, 2)]) for k, n, a, r, m in value],
        )  # fmt: skip


def test_the_lifecycle_page_shows_stages_cohorts_and_segments(
    pages: dict[str, _PageText], warehouse: duckdb.DuckDBPyConnection
) -> None:
    stages = warehouse.execute(
        "select stage, count(*), count(*) filter (where not is_skipped), count(*) filter (where is_skipped) "
        "from marts.fct_stage_transitions group by stage, stage_order order by stage_order"
    ).fetchall()
    shown = [row[:4] for row in pages["lifecycle"].table(
        ["Stage", "Reached", "Entered by a signal", "Skipped", "Median hours since previous stage"])]  # fmt: skip
    _assert_rows(shown, [([s], [_formats(a, 0), _formats(b, 0), _formats(c, 0)]) for s, a, b, c in stages])
    cohorts = warehouse.execute(
        "select strftime(cohort_month, '%Y-%m'), months_since_first_order, customers, active_customers "
        "from marts.mart_cohort_retention order by cohort_month, months_since_first_order"
    ).fetchall()
    shown = [row[:4] for row in pages["lifecycle"].table(
        ["Cohort", "Months since first order", "Customers", "Active", "Retention", "Revenue (EUR)"])]  # fmt: skip
    _assert_rows(shown, [([c, str(m)], [_formats(n, 0), _formats(a, 0)]) for c, m, n, a in cohorts])
    segments = warehouse.execute(
        "select rfm_segment, count(*) from marts.mart_customer_rfm group by all order by 2 desc, 1"
    ).fetchall()
    shown = [row[:2] for row in pages["lifecycle"].table(
        ["Segment", "Customers", "Avg recency (days)", "Avg orders", "Monetary (EUR)"])]  # fmt: skip
    _assert_rows(shown, [([s], [_formats(n, 0)]) for s, n in segments])


def test_the_identity_page_shows_the_graph_health_and_row_accounting(
    pages: dict[str, _PageText], warehouse: duckdb.DuckDBPyConnection
) -> None:
    summary = warehouse.execute(
        """
        select
            (select count(*) from marts.dim_persons),
            (select count(*) from marts.bridge_person_identifiers where link_status = 'linked'),
            (select count(*) from marts.bridge_person_identifiers where link_status = 'rejected'),
            (select count(*) from marts.rpt_person_identity_evidence where edge_status <> 'accepted'),
            (select max(identifiers) from marts.dim_persons),
            (select count(*) from marts.map_person_ids)
        """
    ).fetchone()
    titles = ("Persons", "Linked identifiers", "Rejected identifiers", "Refused or cut links",
              "Most identifiers on a person", "Retired person ids")  # fmt: skip
    text = pages["identity"].text
    for title, value in zip(titles, summary):
        assert any(f"{title} {shown}" in text for shown in _formats(value, 0)), (title, value)
    assert summary[2] > 0 and summary[3] > 0, "the test data set has junk identifiers to refuse"
    accounting = warehouse.execute(
        "select source_name, entity, rows_in_files, staged_rows, duplicate_rows, quarantined_rows, files "
        "from marts.rpt_row_accounting order by source_name, entity"
    ).fetchall()
    _assert_rows(
        pages["identity"].table(["Source", "Entity", "Rows in files", "Staged", "Duplicates", "Quarantined", "Files"]),
        [([s, e], [_formats(v, 0) for v in rest]) for s, e, *rest in accounting],
    )
    refused = warehouse.execute(
        "select edge_status, coalesce(rejected_reason, ''), count(*) from marts.rpt_person_identity_evidence "
        "where edge_status <> 'accepted' group by all order by 3 desc, 2"
    ).fetchall()
    shown = [row[:3] for row in pages["identity"].table(["Status", "Reason", "Links", "Records"])]
    _assert_rows(shown, [([s, r], [_formats(n, 0)]) for s, r, n in refused])
