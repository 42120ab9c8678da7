"""The hand-written example zone of shared/ builds, and holds what its README says."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
from conftest import SALT
from helpers import identifier_hash


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def test_row_accounting_of_the_example(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = {
        (s, e): (f, st, d, q)
        for s, e, f, st, d, q in example_warehouse.execute(
            "select source_name, entity, rows_in_files, staged_rows, duplicate_rows, "
            "quarantined_rows from marts.rpt_row_accounting"
        ).fetchall()
    }
    assert rows[("web", "events")] == (10, 9, 1, 0)  # web-00006 delivered twice
    assert rows[("app", "events")] == (5, 5, 0, 0)
    assert rows[("pos", "transactions")] == (5, 4, 0, 1)
    assert rows[("crm", "contacts")] == (2, 1, 0, 0)  # and C-5602, erased
    assert rows[("catalog", "products")] == (4, 4, 0, 0)
    # AW-5501 pending, then approved: the pending version is superseded
    assert rows[("affiliates", "commissions")] == (3, 2, 1, 0)
    assert rows[("costs", "other_costs")] == (2, 2, 0, 0)
    reason = _one(
        example_warehouse,
        "select quarantine_reason from marts.rpt_quarantined_rows where entity = 'transactions'",
    )
    assert reason == "unparseable occurred_at"  # '16/03/2026 18h05', amount '12,OO'


def test_messy_identifiers_hash_alike_across_sources(
    example_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    email = identifier_hash(SALT, "email", "sam.weber@example.net")
    phone = identifier_hash(SALT, "phone", "+33698765432")
    # '  SAM.Weber@Example.net' and '+33 6 98 76 54 32' on the web identify call
    web = example_warehouse.execute(
        "select email_hash, phone_hash from staging.stg_web__events where message_id = 'web-00004'"
    ).fetchone()
    # 'sam.weber@example.net' on the app, '06 98 76 54 32' in the CRM
    app = _one(
        example_warehouse,
        "select email_hash from staging.stg_app__events where message_id = 'app-00011'",
    )
    crm = example_warehouse.execute(
        "select email_hash, phone_hash from staging.stg_crm__contacts where not is_erased"
    ).fetchone()
    assert web == (email, phone)
    assert app == email
    assert crm == (email, phone)


def test_store_time_and_currency_are_converted(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    marseille = example_warehouse.execute(
        "select cast(occurred_at as varchar), total_amount_eur from staging.stg_pos__transactions "
        "where transaction_id = 'MRS-01-0001931'"
    ).fetchone()
    london_return = example_warehouse.execute(
        "select cast(occurred_at as varchar), total_amount_eur, is_return "
        "from staging.stg_pos__transactions where transaction_id = 'LON-02-0000416'"
    ).fetchone()
    assert marseille == ("2026-03-16 16:42:10", 32)  # Paris is UTC+1 in March
    assert london_return[0] == "2026-03-17 12:30:00"  # London is UTC+0 in March
    assert float(london_return[1]) == round(-21.00 * 1.17, 2)
    assert london_return[2] is True


def test_urls_are_parsed_and_subscriber_ids_removed(
    example_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    landing = example_warehouse.execute(
        "select utm_source, utm_medium, utm_campaign, utm_content "
        "from staging.stg_web__events where message_id = 'web-00001'"
    ).fetchone()
    assert landing == ("tiktok", "paid_social", "autumn_mugs", "video_a")
    malformed = _one(
        example_warehouse,
        "select is_malformed_url from staging.stg_web__events where message_id = 'web-00008'",
    )
    assert malformed is True
    click = example_warehouse.execute(
        "select url, utm_campaign, esp_subscriber_id_hash "
        "from staging.stg_crm__email_events where event_type = 'click'"
    ).fetchone()
    assert "eid" not in click[0]
    assert click[1] == "oct_news"
    assert click[2] == identifier_hash(SALT, "esp_subscriber_id", "9f2c11aa")


def test_unknown_events_are_kept_and_flagged(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    flagged = example_warehouse.execute(
        "select event_name, is_known_event from staging.stg_web__events "
        "where message_id = 'web-00009'"
    ).fetchone()
    assert flagged == ("Wishlist Shared", False)


def test_late_app_event_is_staged_with_both_times(
    example_warehouse: duckdb.DuckDBPyConnection,
) -> None:
    late = example_warehouse.execute(
        "select date_diff('day', occurred_at, received_at), partition_date, order_id "
        "from staging.stg_app__events where message_id = 'app-00014'"
    ).fetchone()
    # partition_date is the received day as a date (from the folder of any layout)
    assert late == (9, date(2026, 3, 23), "100877")


def test_erased_contact_is_deleted_from_staging(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    """C-5602 was erased: once the build passed, no staging relation holds a
    row with its hashes; the row accounting counts it as erased."""
    erased = identifier_hash(SALT, "contact_id", "C-5602")
    assert _one(example_warehouse, "select count(*) from staging.stg_crm__contacts where is_erased") == 0
    assert _one(
        example_warehouse, "select count(*) from staging.base_crm__contacts where contact_id_hash = ?", [erased]
    ) == 0
    assert _one(
        example_warehouse,
        "select count(*) from intermediate.int_identity__erased_identifiers where identifier_hash = ?",
        [erased],
    ) == 1
    assert _one(
        example_warehouse, "select erased_rows from marts.rpt_row_accounting where entity = 'contacts'"
    ) == 1


def test_salt_comes_from_the_environment(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    other = identifier_hash("another-salt", "user_id", "u-10442")
    ours = identifier_hash(SALT, "user_id", "u-10442")
    hashes = {
        r[0]
        for r in example_warehouse.execute(
            "select user_id_hash from staging.stg_web__events where user_id_hash is not null"
        ).fetchall()
    }
    assert ours in hashes and other not in hashes


def test_example_conversions_and_journeys(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    """The example's buyer: a web order, a late app order after a newsletter
    and a push, a store purchase by loyalty card; a cash sale nobody owns; a
    London purchase returned the same day."""
    rows = example_warehouse.execute(
        """
        select order_id, conversion_type, sales_channel, revenue_eur::double,
            person_id is null, is_first_purchase
        from marts.fct_conversions where conversion_type <> 'sign_up'
        order by converted_at
        """
    ).fetchall()
    assert rows == [
        ("100231", "purchase", "web", 29.0, False, True),
        ("100877", "purchase", "app", 14.5, False, False),
        ("MRS-01-0001931", "purchase", "store", 32.0, False, False),
        ("MRS-01-0001932", "purchase", "store", 8.5, True, None),
        ("LON-02-0000415", "purchase", "store", 24.57, False, True),
        ("LON-02-0000416", "return", "store", -24.57, False, None),
    ]
    journeys = example_warehouse.execute(
        """
        select c.order_id, j.touchpoints, j.channel_path, j.is_cross_device
        from marts.fct_journeys as j inner join marts.fct_conversions as c using (conversion_id)
        order by c.converted_at
        """
    ).fetchall()
    assert journeys == [
        ("100231", 1, "Paid Social", False),
        # after the first order: two direct visits (web, then the app), a
        # newsletter open, and the push that brought the app order
        ("100877", 4, "Direct > Direct > Email > Mobile Push Notifications", True),
        ("MRS-01-0001931", 1, "Store", False),
        ("MRS-01-0001932", 0, None, False),
        ("LON-02-0000415", 1, "Store", False),
    ]
    credits = dict(
        example_warehouse.execute(
            """
            select a.attribution_model, t.channel_group
            from marts.fct_attribution as a
            inner join marts.fct_conversions as c using (conversion_id)
            inner join marts.fct_touchpoints as t using (touchpoint_id)
            where c.order_id = '100877' and a.credit = 1
            """
        ).fetchall()
    )
    assert credits == {
        "first_touch": "Direct",
        "last_touch": "Mobile Push Notifications",
        "last_non_direct": "Mobile Push Notifications",
    }


def test_example_lifecycle_stages(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    """The online buyer climbs all five stages (the NPS 9 after her orders is
    advocacy); the London shopper buys on her first visit, so consideration is
    skipped and entered with the purchase."""
    rows = example_warehouse.execute(
        """
        select p.orders_count, t.stage, cast(t.entered_at as varchar), t.is_skipped
        from marts.fct_stage_transitions as t inner join marts.dim_persons as p using (person_id)
        order by p.orders_count desc, t.stage_order
        """
    ).fetchall()
    assert rows == [
        (3, "awareness", "2026-03-05 19:00:00", False),
        (3, "consideration", "2026-03-05 19:00:30", False),
        (3, "conversion", "2026-03-05 19:04:00", False),
        (3, "retention", "2026-03-14 18:03:00", False),
        (3, "advocacy", "2026-03-17 20:00:00", False),
        (1, "awareness", "2026-03-17 12:05:00", False),
        (1, "consideration", "2026-03-17 12:05:00", True),
        (1, "conversion", "2026-03-17 12:05:00", False),
    ]
    stages = example_warehouse.execute(
        "select current_stage, count(*) from marts.dim_persons where orders_count > 0 group by 1 order by 1"
    ).fetchall()
    assert stages == [("advocacy", 1), ("conversion", 1)]
    retention = example_warehouse.execute(
        "select cohort_month::varchar, months_since_first_order, customers, retention_rate "
        "from marts.mart_cohort_retention"
    ).fetchall()
    assert retention == [("2026-03-01", 0, 2, 1.0)]


def test_a_missing_landing_root_is_named(tmp_path) -> None:
    """No landing zone where JOURNEY_LANDING_PATH points: the run stops at its
    start with a message naming the variable, not with 18 skipped marts."""
    from journey.warehouse import Workspace, run_dbt

    workspace = Workspace(landing=tmp_path / "nowhere", duckdb=tmp_path / "w.duckdb")
    result = run_dbt(workspace, ["build"])
    assert not result.success
    assert "JOURNEY_LANDING_PATH is '" + str(tmp_path / "nowhere") + "': no such folder" in str(
        result.exception
    )


def test_product_costs_commissions_and_other_costs(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    """The blue mug's cost changes on 10 March; the teapot costs in GBP. The
    network restated AW-5501 as approved and declined AW-5530. The month's
    costs belong to Email as a whole and to TikTok in Paid Social."""
    costs = example_warehouse.execute(
        "select product_id, unit_cost, currency, valid_from, valid_to"
        " from staging.stg_catalog__products order by product_id, valid_from"
    ).fetchall()
    assert [(p, float(c), cur, f, t) for p, c, cur, f, t in costs] == [
        ("coaster", 1.10, "EUR", date(2026, 1, 1), None),
        ("mug-blue", 5.20, "EUR", date(2026, 1, 1), date(2026, 3, 9)),
        ("mug-blue", 5.60, "EUR", date(2026, 3, 10), None),
        ("teapot", 8.00, "GBP", date(2026, 1, 1), None),
    ]
    commissions = example_warehouse.execute(
        "select network_transaction_id, partner_id, order_id, status, commission_eur,"
        " network_fee_eur from staging.stg_affiliates__commissions order by 1"
    ).fetchall()
    assert [(t, p, o, s, float(c), float(f)) for t, p, o, s, c, f in commissions] == [
        ("AW-5501", "cashbackworld", "100231", "approved", 2.32, 0.35),
        ("AW-5530", "vouchercodes", "100877", "declined", 1.16, 0.17),
    ]
    other = example_warehouse.execute(
        "select cost_month, channel_group, partner_id, cost_type, amount_eur"
        " from staging.stg_costs__other_costs order by channel_group"
    ).fetchall()
    assert [(m, g, p, t, float(a)) for m, g, p, t, a in other] == [
        (date(2026, 3, 1), "Email", None, "platform_fee", 49.0),
        (date(2026, 3, 1), "Paid Social", "tiktok", "agency_fee", 120.0),
    ]


def test_example_costs_of_goods_and_margins(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    """By hand: Marseille on 16 March, two blue mugs at 5.60 (the cost of 10
    March on) and a coaster at 1.10 for 32.00; a coaster for 8.50; London on
    17 March, a teapot at 8.00 GBP (9.36 EUR at 1.17) for 24.57, then its
    return giving the cost back. The web and app orders name no product: no
    margin, and reported."""
    rows = example_warehouse.execute(
        "select order_id, cost_of_goods_eur, gross_margin_eur from marts.fct_conversions"
        " where conversion_type in ('purchase', 'return') order by converted_at"
    ).fetchall()
    assert [(o, c and float(c), m and float(m)) for o, c, m in rows] == [
        ("100231", None, None),
        ("100877", None, None),
        ("MRS-01-0001931", 12.30, 19.70),
        ("MRS-01-0001932", 1.10, 7.40),
        ("LON-02-0000415", 9.36, 15.21),
        ("LON-02-0000416", -9.36, -15.21),
    ]
    assert _one(
        example_warehouse,
        "select gross_margin_eur from marts.fct_conversions where conversion_type = 'sign_up'",
    ) == 0
    assert example_warehouse.execute(
        "select cost_issue, product_id, conversions, revenue_eur from marts.rpt_unknown_product_costs"
    ).fetchall() == [("order names no product", None, 2, Decimal("43.50"))]


def test_example_customer_value_summary(example_warehouse: duckdb.DuckDBPyConnection) -> None:
    """Sam first buys on 5 March, again on 14 (14.50) and 16 March (32.00) up
    to the last conversion day, 17 March: 2 repeat days over 11 days of a
    12-day age, in weeks; a margin rate of 19.70 / 32.00 from the one sale
    with known costs. The London shopper's sale and return leave no margin
    of their own: the population's rate. Two customers are too few to fit
    (rpt_clv_model says why), so nothing is predicted."""
    rows = example_warehouse.execute(
        "select frequency, recency, customer_age, monetary_value_eur, gross_margin_rate,"
        " is_own_margin_rate, predicted_revenue_eur, calibration_end"
        " from marts.mart_customer_value order by frequency desc"
    ).fetchall()
    assert rows == [
        (2, 11 / 7, 12 / 7, Decimal("23.25"), 19.70 / 32.00, True, None, date(2026, 3, 17)),
        (0, 0.0, 0.0, None, 19.70 / 32.00, False, None, date(2026, 3, 17)),
    ]
    statuses = example_warehouse.execute(
        "select model, converged, fit_status from marts.rpt_clv_model order by model"
    ).fetchall()
    assert [s[:2] for s in statuses] == [("bg_nbd", False), ("gamma_gamma", False)]
    assert statuses[1][2] == "not fitted: fewer than 2 customers with a positive mean repeat value"
