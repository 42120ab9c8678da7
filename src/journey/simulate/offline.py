"""Store purchases: transactions and their lines, in store-local time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journey.simulate.arrays import BoolArray, FloatArray, IntArray, group_min
from journey.simulate.config import PRODUCTS, REGULAR_PURCHASES, STORES, SimConfig
from journey.simulate.online import PersonMilestones, Sessions
from journey.simulate.population import P, Population


# card_owner of a sale where the cashier scanned their own card (the cashier
# belongs to the staff block, not to the block of the customer)
CASHIER = -2


@dataclass
class CashierShifts:
    """The cashier's shift days (the same for every block) and how many
    customers of this block they scan their card for."""

    days: IntArray
    scans: int


@dataclass
class StoreSales:
    """One row per till transaction; local_t is days since start on the store's clock."""

    person: IntArray  # the real customer
    store: IntArray
    local_t: FloatArray
    card_owner: IntArray  # whose loyalty card was scanned, -1 if none, CASHIER
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
    shifts: CashierShifts,
) -> StoreSales:
    lam = np.array([0.05, 0.0, 1.5, 0.03, 1.0, 0.0, 0.0])[pop.persona]
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
    local_t = day + rng.uniform(9 / 24, 20 / 24, len(person))
    regular_person, regular_t = _regular_sales(cfg, pop, rng)
    person = np.concatenate([person, regular_person])
    local_t = np.concatenate([local_t, regular_t])
    n = len(person)
    store = pop.home_store[person]

    regular = pop.persona[person] == P["regular"]
    presents_card = pop.wants_card[person] & ((rng.random(n) < 0.85) | regular)
    card_owner = np.where(presents_card, person, -1)
    has_email = pop.wants_account[person] | pop.wants_card[person]
    receipt = ~presents_card & has_email & (rng.random(n) < 0.5)
    person, store, local_t, card_owner, receipt = _cashier_scans(
        pop, rng, shifts, person, store, local_t, card_owner, receipt
    )
    n = len(person)

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


def _regular_sales(
    cfg: SimConfig, pop: Population, rng: np.random.Generator
) -> tuple[IntArray, FloatArray]:
    """The regulars' purchases: REGULAR_PURCHASES each, in distinct slots of the
    period (a morning and an afternoon a day), so never more than two a day."""
    regulars = np.flatnonzero(pop.persona == P["regular"])
    slots = 2 * cfg.days
    low, high = REGULAR_PURCHASES
    count = np.minimum(rng.integers(low, high + 1, len(regulars)), slots)
    # a random permutation of the slots per regular, of which the first `count`
    order = np.argsort(rng.random((len(regulars), slots)), axis=1)
    taken = np.arange(slots)[None, :] < count[:, None]
    slot = order[taken]
    person = np.repeat(regulars, count)
    afternoon = slot % 2 == 1
    hour = np.where(afternoon, rng.uniform(14, 20, len(slot)), rng.uniform(9, 13, len(slot)))
    return person.astype(np.int64), slot // 2 + hour / 24


def _cashier_scans(
    pop: Population,
    rng: np.random.Generator,
    shifts: CashierShifts,
    person: IntArray,
    store: IntArray,
    local_t: FloatArray,
    card_owner: IntArray,
    receipt: BoolArray,
) -> tuple[IntArray, IntArray, FloatArray, IntArray, BoolArray]:
    """The cashier works shifts at the first store and scans their own card
    for customers who show none, minutes apart, some of whom give a receipt
    email; on a few shift days the cashier's own purchases (the staff block)
    are made with the same card at another store."""
    local_t, card_owner, store = local_t.copy(), card_owner.copy(), store.copy()
    no_card = np.flatnonzero(card_owner < 0)
    n_scans = min(shifts.scans, len(no_card))
    scans = rng.choice(no_card, size=n_scans, replace=False)
    on_day = shifts.days[rng.integers(0, len(shifts.days), n_scans)]
    local_t[scans] = on_day + rng.uniform(9 / 24, 17 / 24, n_scans)
    card_owner[scans] = CASHIER
    store[scans] = 0
    employee = np.flatnonzero(pop.is_employee)
    if len(employee):
        own = min(3, len(shifts.days))
        own_t = shifts.days[:own] + rng.uniform(10 / 24, 16 / 24, own)
        person = np.concatenate([person, np.full(own, employee[0])])
        store = np.concatenate([store, np.full(own, 1)])
        local_t = np.concatenate([local_t, own_t])
        card_owner = np.concatenate([card_owner, np.full(own, employee[0])])
        receipt = np.concatenate([receipt, np.zeros(own, dtype=bool)])
    return person, store, local_t, card_owner, receipt


def cashier_shift_days(cfg: SimConfig, rng: np.random.Generator) -> IntArray:
    """The cashier's shift days: one per 8 scans, at most five days a week."""
    n_shifts = int(np.clip(cfg.n_employee_scans // 8, 1, max(1, cfg.days * 5 // 7)))
    return rng.choice(cfg.days, size=n_shifts, replace=False).astype(np.int64)


def store_rows() -> list[tuple[str, str, str, str, str]]:
    """The stores master file rows."""
    return [s[:5] for s in STORES]
