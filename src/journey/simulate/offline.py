"""Store purchases: transactions and their lines, in store-local time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journey.simulate.arrays import BoolArray, FloatArray, IntArray, group_min
from journey.simulate.config import PRODUCTS, STORES, SimConfig
from journey.simulate.online import PersonMilestones, Sessions
from journey.simulate.population import P, Population


@dataclass
class StoreSales:
    """One row per till transaction; local_t is days since start on the store's clock."""

    person: IntArray  # the real customer
    store: IntArray
    local_t: FloatArray
    card_owner: IntArray  # whose loyalty card was scanned, -1 if none
    receipt_email: BoolArray  # the customer's e-receipt email was taken
    is_return: BoolArray
    original: IntArray  # for a return, the row it returns, else -1
    bad_date: BoolArray  # the till wrote a date no parser should accept
    bad_amount: BoolArray
    line_txn: IntArray  # one row per line: its transaction row
    line_product: IntArray
    line_quantity: IntArray


def store_sales(
    cfg: SimConfig,
    pop: Population,
    sessions: Sessions,
    milestones: PersonMilestones,
    rng: np.random.Generator,
) -> StoreSales:
    lam = np.array([0.05, 0.0, 1.5, 0.03, 1.0, 0.0])[pop.persona]
    count = rng.poisson(lam) + (pop.persona == P["store_only"])
    person = np.repeat(np.arange(pop.n), count)
    span = np.maximum(cfg.days - pop.arrival[person], 0.5)
    day = np.floor(pop.arrival[person] + rng.random(len(person)) * span)

    # researchers who looked online and then bought in a store (online-to-offline)
    last = group_min(sessions.person, -sessions.start, pop.n)
    last_visit = -last
    o2o = (
        (pop.persona == P["researcher"])
        & np.isfinite(last_visit)
        & ~np.isfinite(milestones.first_order_at)
        & (rng.random(pop.n) < 0.15)
    )
    o2o_person = np.flatnonzero(o2o)
    o2o_day = np.floor(last_visit[o2o_person] + rng.integers(1, 4, len(o2o_person)))
    person = np.concatenate([person, o2o_person])
    day = np.concatenate([day, o2o_day])
    keep = day < cfg.days
    person, day = person[keep], day[keep]
    n = len(person)
    local_t = day + rng.uniform(9 / 24, 20 / 24, n)
    store = pop.home_store[person]

    presents_card = pop.wants_card[person] & (rng.random(n) < 0.85)
    card_owner = np.where(presents_card, person, -1)
    has_email = pop.wants_account[person] | pop.wants_card[person]
    receipt = ~presents_card & has_email & (rng.random(n) < 0.5)
    # a store employee scans their own card for customers who have none
    anonymous = np.flatnonzero((card_owner < 0) & ~receipt)
    employee = pop.n - 1
    scans = rng.choice(anonymous, size=min(cfg.n_employee_scans, len(anonymous)), replace=False)
    card_owner[scans] = employee
    store[scans] = 0  # the employee works in the first store

    # returns, a few days later, in the same store, by identified customers
    returned = np.flatnonzero((card_owner == person) | receipt)
    returned = returned[rng.random(len(returned)) < 0.05]
    ret_t = local_t[returned] + rng.integers(1, 15, len(returned))
    ok = ret_t < cfg.days
    returned, ret_t = returned[ok], ret_t[ok]

    txn_person = np.concatenate([person, person[returned]])
    original = np.concatenate([np.full(n, -1), returned])
    lines_per = 1 + rng.poisson(0.7, n)
    line_txn = np.repeat(np.arange(n), lines_per)
    line_product = rng.integers(0, len(PRODUCTS), len(line_txn))
    line_quantity = 1 + rng.poisson(0.3, len(line_txn))
    # a return gives back the first line of the original sale
    first_line = np.searchsorted(line_txn, returned)
    ret_rows = n + np.arange(len(returned))
    m = len(txn_person)
    bad = rng.random(m) < cfg.bad_csv_rate
    bad_is_date = rng.random(m) < 0.5
    return StoreSales(
        person=txn_person,
        store=np.concatenate([store, store[returned]]),
        local_t=np.concatenate([local_t, ret_t]),
        card_owner=np.concatenate([card_owner, card_owner[returned]]),
        receipt_email=np.concatenate([receipt, receipt[returned]]),
        is_return=np.arange(m) >= n,
        original=original,
        bad_date=bad & bad_is_date,
        bad_amount=bad & ~bad_is_date,
        line_txn=np.concatenate([line_txn, ret_rows]),
        line_product=np.concatenate([line_product, line_product[first_line]]),
        line_quantity=np.concatenate([line_quantity, -line_quantity[first_line]]),
    )


def store_rows() -> list[tuple[str, str, str, str, str]]:
    """The stores master file rows."""
    return [s[:5] for s in STORES]
