"""Who the simulated people are: persona, country, devices, identities, consent."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journey.simulate.arrays import BoolArray, FloatArray, IntArray, pick
from journey.simulate.config import COUNTRY_SHARE, PERSONA_SHARE, PERSONAS, SimConfig

P = {name: i for i, name in enumerate(PERSONAS)}
N_INTERNAL = 3  # two QA testers, then the store employee


@dataclass
class Population:
    """One row per person (index = person number); times are days since start."""

    persona: IntArray
    country: IntArray
    arrival: FloatArray
    n_web: IntArray  # web devices: 0 phone, 1 computer, 2 tablet
    is_ios: BoolArray
    safari_desktop: BoolArray
    cookie_life: IntArray  # days a non-Safari cookie survives before it is cleared
    cookie_phase: FloatArray
    has_app: BoolArray
    denies_tracking: BoolArray
    wants_account: BoolArray
    has_phone: BoolArray
    wants_card: BoolArray
    consent: BoolArray
    erased_at: FloatArray  # NaN when never erased
    home_store: IntArray
    acquisition: IntArray  # channel code of the first visit
    is_qa: BoolArray  # the two QA testers (staff block only)
    is_employee: BoolArray  # the cashier (staff block only)
    first: int = 0  # person number of row 0: rows are persons first .. first + n - 1

    @property
    def n(self) -> int:
        return len(self.persona)


def build_population(
    cfg: SimConfig, rng: np.random.Generator, first: int, n: int, staff: bool = False
) -> Population:
    """The persons first .. first + n - 1 of one block; the staff block holds
    the N_INTERNAL internal persons (two QA testers, then the cashier)."""
    persona = pick(rng, PERSONA_SHARE, n)
    if staff:
        persona[:] = P["internal"]
    country = pick(rng, COUNTRY_SHARE, n)
    # people keep arriving through the window, fewer towards its end
    arrival = rng.uniform(0, cfg.days * 0.9, n)
    # regulars were customers before the period began
    arrival = np.where(persona == P["regular"], rng.uniform(0, 1, n), arrival)
    n_web = 1 + (rng.random(n) < 0.55).astype(np.int64) + (rng.random(n) < 0.2)
    is_ios = rng.random(n) < 0.55
    app_prob = np.array([0.15, 0.25, 0.0, 0.08, 0.5, 0.05, 0.0])[persona]
    has_app = rng.random(n) < app_prob
    # App Tracking Transparency: most iOS users deny, few Android users opt out
    denies = rng.random(n) < np.where(is_ios, 0.75, 0.15)
    account_prob = np.array([0.75, 0.8, 0.3, 0.1, 0.97, 0.5, 1.0])[persona]
    card_prob = np.array([0.05, 0.15, 0.85, 0.02, 0.6, 1.0, 1.0])[persona]
    erase_roll = rng.random(n)
    erased_at = np.where(
        (erase_roll < 0.006) & (persona != P["internal"]), arrival + rng.uniform(5, max(cfg.days, 6), n), np.nan
    )
    erased_at = np.where(erased_at < cfg.days, erased_at, np.nan)
    store_by_country = np.array([0, 3, 4, 5])
    french = rng.integers(0, 3, n)  # Paris, Marseille or Lyon
    home_store = np.where(country == 0, french, store_by_country[country])
    acquisition = pick(
        rng, (0.05, 0.2, 0.18, 0.3, 0.08, 0.0, 0.07, 0.05, 0.07, 0.0), n
    )
    if staff:
        acquisition[:] = 0
    staff_rank = np.arange(n) if staff else np.full(n, -1)
    return Population(
        persona=persona,
        country=country,
        arrival=arrival,
        n_web=n_web.astype(np.int64),
        is_ios=is_ios,
        safari_desktop=rng.random(n) < 0.3,
        cookie_life=rng.choice(np.array([30, 60, 400]), n).astype(np.int64),
        cookie_phase=rng.uniform(0, 7, n),
        has_app=has_app,
        denies_tracking=denies,
        wants_account=rng.random(n) < account_prob,
        has_phone=rng.random(n) < 0.6,
        wants_card=rng.random(n) < card_prob,
        consent=(rng.random(n) < 0.65) & (persona != P["internal"]),
        erased_at=erased_at,
        home_store=home_store.astype(np.int64),
        acquisition=acquisition,
        is_qa=(staff_rank >= 0) & (staff_rank < N_INTERNAL - 1),
        is_employee=staff_rank == N_INTERNAL - 1,
        first=first,
    )
