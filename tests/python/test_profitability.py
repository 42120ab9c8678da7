"""What one euro in each partner brings back: mart_partner_profitability
against the landing files, the example zone by hand, and its ratios
recomputed in Python from the marts it is made of."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from journey.simulate.config import project_root


def _rates() -> dict[str, list[tuple[date, date, Decimal]]]:
    rates: dict[str, list[tuple[date, date, Decimal]]] = defaultdict(list)
    with (project_root() / "seeds" / "currency_rates.csv").open() as handle:
        for row in csv.DictReader(handle):
            rates[row["currency"]].append(
                (date.fromisoformat(row["valid_from"]), date.fromisoformat(row["valid_to"]),
                 Decimal(row["eur_per_unit"]))
            )  # fmt: skip
    return rates


def _eur(amount: str, currency: str, day: date, rates: dict) -> Decimal:
    if currency == "EUR":
        return Decimal(amount)
    (rate,) = [r for start, end, r in rates[currency] if start <= day <= end]
    return (Decimal(amount) * rate).quantize(Decimal("0.01"))


def test_example_partner_profitability_by_hand(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    """March, last touch: TikTok cost 120.00 of ads and 120.00 of agency fee
    and brought Sam's first order (29.00, no product named: margin unknown);
    the cashback site's approved transaction costs 2.32 + 0.35 and the
    network claims its order though no model credits it; the declined
    voucher site costs nothing; Email is the platform's 49.00; the store
    sales carry the known margins 19.70 and 15.21."""
    rows = {
        (group, partner): row
        for group, partner, *row in example_warehouse.execute(
            "select channel_group, partner_id, investment_eur, attributed_conversions,"
            " attributed_revenue_eur, attributed_gross_margin_eur,"
            " attributed_conversions_unknown_margin, network_claimed_conversions, roas, poas,"
            " profit_per_euro from marts.mart_partner_profitability"
            " where attribution_model = 'last_touch' and month = date '2026-03-01'"
        ).fetchall()
    }
    assert rows[("Paid Social", "tiktok")] == [Decimal("240.00"), 1.0, 29.0, 0.0, 1.0, 0, 29 / 240, 0.0, -1.0]
    assert rows[("Affiliates", "cashbackworld")] == [Decimal("2.67"), 0.0, 0.0, 0.0, 0.0, 1, 0.0, 0.0, -1.0]
    assert rows[("Affiliates", "vouchercodes")] == [Decimal("0.00"), 0.0, 0.0, 0.0, 0.0, 0, None, None, None]
    assert rows[("Email", None)][0] == Decimal("49.00")
    assert rows[("Paid Search", "google")][0] == Decimal("85.40")
    store = rows[("Store", None)]
    assert store[:3] == [Decimal("0.00"), 2.0, 56.57] and round(store[3], 2) == 34.91
    # investment is the same under every model
    assert example_warehouse.execute(
        "select count(distinct investment_eur) from marts.mart_partner_profitability"
        " where partner_id = 'tiktok'"
    ).fetchone()[0] == 1


def test_investment_per_partner_equals_the_files(
    warehouse: duckdb.DuckDBPyConnection, sim_dir: Path
) -> None:
    """Media spend per partner (utm_source) and other costs per channel group
    and partner, summed from the CSV files in EUR, equal the mart's."""
    rates = _rates()
    landing = sim_dir / "landing"
    expected: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for path in sorted((landing / "ads" / "spend").glob("*.csv")):
        with path.open() as handle:
            for row in csv.DictReader(handle):
                day = date.fromisoformat(row["date"])
                expected[("media", row["utm_source"].lower())] += _eur(row["spend"], row["currency"], day, rates)
    for path in sorted((landing / "costs").glob("*.csv")):
        with path.open() as handle:
            for row in csv.DictReader(handle):
                day = date.fromisoformat(row["month"] + "-01")
                key = (row["channel_group"], row["partner_id"].lower() or None)
                expected[key] += _eur(row["amount"], row["currency"], day, rates)
    # the networks' transactions: the version updated last is current
    current: dict[tuple[str, str], dict] = {}
    for path in sorted((landing / "affiliates" / "commissions").glob("*.csv")):
        with path.open() as handle:
            for row in csv.DictReader(handle):
                key = (row["network"], row["network_transaction_id"])
                if key not in current or row["updated_at"] > current[key]["updated_at"]:
                    current[key] = row
    claims: dict[str, int] = defaultdict(int)
    for row in current.values():
        day = date.fromisoformat(row["occurred_at"][:10])
        if row["status"] == "approved":
            expected[("commission", row["partner_id"])] += _eur(
                row["commission_amount"], row["currency"], day, rates
            ) + _eur(row["network_fee"], row["currency"], day, rates)
        if row["status"] != "declined":
            claims[row["partner_id"]] += 1
    actual: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    claimed: dict[str, int] = defaultdict(int)
    for group, partner, media, commission, other, n in warehouse.execute(
        "select channel_group, partner_id, sum(media_spend_eur), sum(commission_eur),"
        " sum(other_costs_eur), sum(network_claimed_conversions)"
        " from marts.mart_partner_profitability where attribution_model = 'linear' group by 1, 2"
    ).fetchall():
        if media:
            actual[("media", partner)] += media
        if commission:
            actual[("commission", partner)] += commission
        if other:
            actual[(group, partner)] += other
        if n:
            claimed[partner] += n
    assert dict(claimed) == dict(claims) and sum(claims.values()) > 50
    print(dict(expected))
    assert len(expected) >= 10
    assert dict(actual) == {k: v for k, v in expected.items() if v}


def test_ratios_recomputed_from_the_marts(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Every row's attributed revenue and margin, ROAS, POAS and profit per
    euro, recomputed in Python from fct_attribution, fct_touchpoints,
    fct_conversions and the investment."""
    credited: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for month, group, partner, model, credit, revenue, margin in warehouse.execute(
        """
        select date_trunc('month', t.touched_at)::date, a.channel_group, a.partner_id,
            a.attribution_model, a.credit, a.revenue_eur, c.gross_margin_eur::double
        from marts.fct_attribution as a
        inner join marts.fct_touchpoints as t using (touchpoint_id)
        inner join marts.fct_conversions as c using (conversion_id)
        """
    ).fetchall():
        sums = credited[(month, group, partner, model)]
        sums[0] += credit
        sums[1] += revenue
        sums[2] += credit * margin if margin is not None else 0.0
    rows = warehouse.execute(
        "select month, channel_group, partner_id, attribution_model, investment_eur::double,"
        " attributed_conversions, attributed_revenue_eur, attributed_gross_margin_eur,"
        " roas, poas, profit_per_euro from marts.mart_partner_profitability"
    ).fetchall()
    checked = 0
    for month, group, partner, model, investment, conversions, revenue, margin, roas, poas, ppe in rows:
        exp = credited.get((month, group, partner, model), [0.0, 0.0, 0.0])
        assert abs(conversions - exp[0]) < 1e-9 and abs(revenue - exp[1]) < 1e-6
        assert abs(margin - exp[2]) < 1e-6
        if investment:
            assert abs(roas - exp[1] / investment) < 1e-9
            assert abs(poas - exp[2] / investment) < 1e-9
            assert abs(ppe - (exp[2] - investment) / investment) < 1e-9
            checked += 1
        else:
            assert roas is None and poas is None and ppe is None
    print(f"rows with investment checked: {checked} of {len(rows)}")
    assert checked > 50
    # every credit lands in the mart
    assert {k for k, v in credited.items() if v[0]} <= {tuple(r[:4]) for r in rows}
