"""Parameters of a simulation run and the fixed reference data it draws from."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

# "regular" shops in their store once or twice a day on many days: 50 to 150
# purchases over the period, always with their loyalty card (the customers a
# card guard must keep). The last persona, "internal", is staff: two QA
# testers logged in with test accounts and a cashier who, on their shifts,
# scans their own loyalty card for customers who have none.
PERSONAS = (
    "impulse",
    "researcher",
    "store_only",
    "window_shopper",
    "loyal",
    "regular",
    "internal",
)
PERSONA_SHARE = (0.15, 0.20, 0.12, 0.375, 0.15, 0.005)
REGULAR_PURCHASES = (50, 150)  # at most two a day, so at most 2 x days

# Channels the simulator draws for a visit; the warehouse must recover the
# GA4 group from the URL, referrer and UTM values alone.
CHANNELS = (
    "direct",
    "organic_search",
    "paid_search",
    "paid_social",
    "organic_social",
    "email",
    "referral",
    "affiliates",
    "display",
    "push",
)
CH = {name: i for i, name in enumerate(CHANNELS)}

COUNTRIES = ("FR", "DE", "GB", "US")
COUNTRY_SHARE = (0.65, 0.15, 0.15, 0.05)
COUNTRY_CURRENCY = ("EUR", "EUR", "GBP", "USD")

# store_id, name, city, country, timezone, currency
STORES = (
    ("PAR-01", "Paris Marais", "Paris", "FR", "Europe/Paris", "EUR"),
    ("MRS-01", "Marseille Vieux-Port", "Marseille", "FR", "Europe/Paris", "EUR"),
    ("LYS-01", "Lyon Presqu'ile", "Lyon", "FR", "Europe/Paris", "EUR"),
    ("BER-01", "Berlin Mitte", "Berlin", "DE", "Europe/Berlin", "EUR"),
    ("LON-02", "London Soho", "London", "GB", "Europe/London", "GBP"),
    ("NYC-01", "New York SoHo", "New York", "US", "America/New_York", "USD"),
)

# product_id, price in EUR
PRODUCTS = (
    ("mug-blue", 14.5),
    ("mug-red", 14.5),
    ("teapot", 24.6),
    ("coaster", 3.0),
    ("kettle", 59.0),
    ("tea-box", 18.0),
    ("cup-set", 32.0),
    ("tray", 21.0),
    ("spoon-set", 9.5),
    ("pot-warmer", 12.0),
)

# The product master's unit costs (catalog/products/): product_id, name,
# category, unit cost, its currency, and the day it applies from, in days
# from the start (a catalog older than the period, and cost changes inside
# it). The teapot's supplier bills in GBP; the pot warmer is missing from the
# catalog, so its sales have an unknown margin.
PRODUCT_COSTS = (
    ("mug-blue", "Blue mug", "tableware", 5.20, "EUR", -365),
    ("mug-blue", "Blue mug", "tableware", 5.60, "EUR", 45),
    ("mug-red", "Red mug", "tableware", 5.20, "EUR", -365),
    ("teapot", "Cast-iron teapot", "tableware", 8.00, "GBP", -365),
    ("coaster", "Cork coaster", "tableware", 1.10, "EUR", -365),
    ("kettle", "Kettle", "appliances", 24.00, "EUR", -365),
    ("kettle", "Kettle", "appliances", 26.50, "EUR", 30),
    ("tea-box", "Tea box", "tea", 7.20, "EUR", -365),
    ("cup-set", "Cup set", "tableware", 13.00, "EUR", -365),
    ("tray", "Serving tray", "tableware", 8.40, "EUR", -365),
    ("spoon-set", "Spoon set", "tableware", 3.80, "EUR", -365),
)

# The affiliate network: it claims an online order for the partner of the
# latest affiliate click on the same device within its cookie window, pending
# first, then approved or declined (one in ten) a validation delay later;
# commission and network fee as shares of the sale.
AFFILIATE_NETWORK = "awin"
AFFILIATE_PARTNER_NAMES = {"cashbackworld": "Cashback World"}
AFFILIATE_COOKIE_DAYS = 30
AFFILIATE_VALIDATION_DAYS = 30
AFFILIATE_COMMISSION_RATE = 0.08
AFFILIATE_FEE_RATE = 0.012

# Marketing costs outside the ad platforms' spend (costs/), each month of the
# period: channel group, partner (empty: the channel as a whole), type,
# amount, currency, description; the last field, true, for the first month only.
OTHER_COSTS = (
    ("Email", "", "platform_fee", 49.00, "EUR", "email platform subscription", False),
    ("Paid Social", "tiktok", "agency_fee", 120.00, "EUR", "creative agency for the autumn_mugs videos", False),
    ("Display", "criteo", "creative_fee", 80.00, "GBP", "display banners", False),
    ("Affiliates", "cashbackworld", "flat_fee", 150.00, "EUR", "homepage placement", True),
)

# channel, utm_source, utm_medium, utm_campaign, ad platform, ad account, currency, cost per click
CAMPAIGNS = (
    ("paid_search", "google", "cpc", "brand_search", "google_ads", "g-1", "EUR", 0.45),
    ("paid_search", "google", "cpc", "generic_mugs", "google_ads", "g-1", "EUR", 0.9),
    ("paid_search", "google", "cpc", "shopping_feed", "google_ads", "g-1", "EUR", 0.6),
    ("paid_search", "bing", "cpc", "brand_search", "microsoft_ads", "ms-1", "EUR", 0.4),
    ("paid_social", "instagram", "paid_social", "spring_mugs", "meta_ads", "m-1", "EUR", 0.55),
    ("paid_social", "facebook", "cpc", "retargeting", "meta_ads", "m-1", "EUR", 0.5),
    ("paid_social", "pinterest", "paid_social", "tea_moments", "pinterest_ads", "p-1", "EUR", 0.35),
    ("paid_social", "tiktok", "paid_social", "autumn_mugs", "tiktok_ads", "tt-1", "EUR", 0.3),
    ("display", "criteo", "display", "retargeting_display", "criteo", "cr-uk", "GBP", 0.25),
    ("affiliates", "cashbackworld", "affiliate", "partner_q1", "", "", "", 0.0),
)
PUSH_CAMPAIGNS = ("mug_restock", "weekend_offer", "new_teapots")
EMAIL_CAMPAIGN_NAMES = ("weekly_news", "new_arrivals", "tea_tips", "flash_sale")

JUNK_ZERO_ADID = "00000000-0000-0000-0000-000000000000"
TEST_ACCOUNTS = ("test-account-qa1", "test-account-qa2")


def project_root() -> Path:
    """The repository root (the simulator ships inside the dbt project)."""
    return Path(__file__).resolve().parents[3]


def load_rates(path: Path | None = None) -> dict[str, float]:
    """EUR per unit of each currency, from the project's seed (one source of truth).

    The simulator uses the rate valid on its start date; the seed may hold
    several periods and the warehouse picks the one valid on each day.
    """
    path = path or project_root() / "seeds" / "currency_rates.csv"
    rates: dict[str, float] = {}
    with path.open() as handle:
        for row in csv.DictReader(handle):
            rates.setdefault(row["currency"], float(row["eur_per_unit"]))
    return rates


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. Everything else is fixed so a seed fully determines the output."""

    persons: int = 20_000
    days: int = 90
    seed: int = 42
    start: date = date(2026, 1, 1)
    duplicate_rate: float = 0.01
    late_app_rate: float = 0.05
    junk_rate: float = 0.004
    malformed_url_rate: float = 0.002
    truncated_line_rate: float = 0.001
    bad_csv_rate: float = 0.003
    unknown_event_rate: float = 0.005
    shared_tablets: int = 0  # 0 = one per 2,000 persons, at least 1
    employee_card_scans: int = 0  # 0 = one per 100 persons, at least 20
    # persons simulated together with one random generator (blocks.py): part of
    # what is simulated, unlike the chunk (how many blocks are generated at once)
    block_persons: int = 10_000
    rates: dict[str, float] = field(default_factory=dict)
    # how web/ and app/ are laid out: the contract's date= partitions, or the
    # bucket of Segment's or RudderStack's object-storage destination
    layout: str = "contract"

    @property
    def start_ts(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day)

    @property
    def n_shared_tablets(self) -> int:
        return self.shared_tablets or max(1, self.persons // 2000)

    @property
    def n_employee_scans(self) -> int:
        return self.employee_card_scans or max(20, self.persons // 100)
