"""CRM contacts (monthly full snapshots), email campaigns and NPS answers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from journey.simulate.arrays import BoolArray, FloatArray, IntArray, group_min
from journey.simulate.config import SimConfig
from journey.simulate.offline import StoreSales
from journey.simulate.online import PersonMilestones
from journey.simulate.population import P, Population

HOUR = 1 / 24
EMAIL_EVENTS = ("sent", "delivered", "bounce", "open", "click", "unsubscribe", "spam_report")
E = {name: i for i, name in enumerate(EMAIL_EVENTS)}


@dataclass
class Contacts:
    """One row per CRM contact record (a person can have a duplicate record)."""

    person: IntArray
    created_at: FloatArray
    has_customer_id: BoolArray
    card_at: FloatArray  # when the loyalty card was added, inf if never
    consent: BoolArray  # consent when created
    consent_flip_at: FloatArray  # when consent was toggled, inf if never
    erased_at: FloatArray  # inf if never
    is_duplicate: BoolArray
    updated_at: FloatArray


def contacts(
    cfg: SimConfig,
    pop: Population,
    milestones: PersonMilestones,
    sales: StoreSales,
    rng: np.random.Generator,
    cashier_card_used_at: float = np.inf,
) -> Contacts:
    """The block's contacts; the cashier's card (staff block) was first used
    at cashier_card_used_at, their first scan in any block or own purchase."""
    own_card = sales.card_owner == sales.person
    owner = sales.card_owner[own_card]
    card_at = group_min(owner, sales.local_t[own_card], pop.n)
    card_at[pop.is_employee] = np.minimum(card_at[pop.is_employee], cashier_card_used_at)
    guest_contact = np.where(rng.random(pop.n) < 0.5, milestones.guest_email_at, np.inf)
    created = np.minimum.reduce(
        [milestones.signup_at, milestones.newsletter_at, card_at, guest_contact]
    )
    # the QA testers have no contact; the employee has a loyalty account like anyone else
    person = np.flatnonzero(np.isfinite(created) & ~pop.is_qa)
    n = len(person)
    flip = np.where(
        rng.random(n) < 0.05, created[person] + rng.uniform(1, cfg.days, n), np.inf
    )
    flip = np.where(flip < cfg.days, flip, np.inf)
    erased = np.where(pop.erased_at[person] >= created[person], pop.erased_at[person], np.inf)
    erased = np.where(np.isnan(erased), np.inf, erased)
    main = Contacts(
        person=person,
        created_at=created[person],
        has_customer_id=np.isfinite(milestones.signup_at[person]),
        card_at=card_at[person],
        consent=pop.consent[person],
        consent_flip_at=flip,
        erased_at=erased,
        is_duplicate=np.zeros(n, dtype=bool),
        updated_at=np.zeros(n),
    )
    # some people filled an old form once: a second record with the same email
    dup = np.flatnonzero(rng.random(n) < 0.02)
    dup_created = np.maximum(main.created_at[dup] - rng.uniform(1, 30, len(dup)), 0.0)
    all_person = np.concatenate([person, person[dup]])
    out = Contacts(
        person=all_person,
        created_at=np.concatenate([main.created_at, dup_created]),
        has_customer_id=np.concatenate([main.has_customer_id, np.zeros(len(dup), bool)]),
        card_at=np.concatenate([main.card_at, np.full(len(dup), np.inf)]),
        consent=np.concatenate([main.consent, np.zeros(len(dup), bool)]),
        consent_flip_at=np.concatenate([flip, np.full(len(dup), np.inf)]),
        erased_at=np.concatenate([erased, erased[dup]]),
        is_duplicate=np.concatenate([main.is_duplicate, np.ones(len(dup), bool)]),
        updated_at=np.zeros(len(all_person)),
    )
    return out


def snapshot_days(cfg: SimConfig) -> list[int]:
    """Day offsets (end of day) of the monthly full exports, plus the last day."""
    start = np.datetime64(cfg.start, "D")
    days = []
    for d in range(cfg.days):
        today = start + d
        tomorrow = today + 1
        if today.astype("datetime64[M]") != tomorrow.astype("datetime64[M]"):
            days.append(d)
    if not days or days[-1] != cfg.days - 1:
        days.append(cfg.days - 1)
    return days


@dataclass
class EmailEvents:
    contact: IntArray
    campaign: IntArray  # weekly campaign number
    kind: IntArray
    t: FloatArray


def email_events(
    cfg: SimConfig, pop: Population, c: Contacts, rng: np.random.Generator
) -> EmailEvents:
    """Weekly campaigns to every consenting contact, and what each recipient did."""
    weeks = np.arange(0, cfg.days, 7)
    send_t = weeks + 2 + 7 * HOUR
    send_t = send_t[send_t < cfg.days]
    k = len(send_t)
    contact = np.tile(np.arange(len(c.person)), k)
    campaign = np.repeat(np.arange(k), len(c.person))
    t = send_t[campaign]
    consent_now = c.consent[contact] ^ (t >= c.consent_flip_at[contact])
    audience = (c.created_at[contact] <= t) & consent_now & (t < c.erased_at[contact])
    contact, campaign, t = contact[audience], campaign[audience], t[audience]
    n = len(contact)
    persona = pop.persona[c.person[contact]]
    delivered = rng.random(n) < 0.97
    opened = delivered & (rng.random(n) < np.where(persona == P["loyal"], 0.45, 0.2))
    open_t = t + rng.exponential(0.2, n) + 60 / 86400
    clicked = opened & (rng.random(n) < 0.25)
    click_t = open_t + rng.uniform(10, 300, n) / 86400
    unsub = opened & (rng.random(n) < 0.01)
    spam = delivered & ~opened & (rng.random(n) < 0.001)
    parts = [
        (np.ones(n, bool), E["sent"], t),
        (delivered, E["delivered"], t + 3 / 86400),
        (~delivered, E["bounce"], t + 5 / 86400),
        (opened, E["open"], open_t),
        (clicked, E["click"], click_t),
        (unsub, E["unsubscribe"], click_t + 60 / 86400),
        (spam, E["spam_report"], open_t),
    ]
    keep_ct = [contact[m] for m, _, _ in parts]
    out = EmailEvents(
        contact=np.concatenate(keep_ct),
        campaign=np.concatenate([campaign[m] for m, _, _ in parts]),
        kind=np.concatenate([np.full(m.sum(), kind) for m, kind, _ in parts]),
        t=np.concatenate([tt[m] for m, _, tt in parts]),
    )
    inside = out.t < cfg.days
    order = np.lexsort((out.t, out.contact))
    order = order[inside[order]]
    return EmailEvents(
        contact=out.contact[order],
        campaign=out.campaign[order],
        kind=out.kind[order],
        t=out.t[order],
    )


@dataclass
class NpsAnswers:
    contact: IntArray
    t: FloatArray
    score: IntArray


def nps_answers(
    cfg: SimConfig,
    pop: Population,
    c: Contacts,
    first_purchase_at: FloatArray,
    rng: np.random.Generator,
) -> NpsAnswers:
    """A survey after the first purchase; a quarter of the customers answer."""
    main = np.flatnonzero(~c.is_duplicate)
    bought = first_purchase_at[c.person[main]]
    t = bought + rng.uniform(2, 5, len(main))
    answers = np.isfinite(bought) & (rng.random(len(main)) < 0.25) & (t < cfg.days)
    answers &= t < c.erased_at[main]
    rows = main[answers]
    persona = pop.persona[c.person[rows]]
    happy = rng.integers(8, 11, len(rows))
    mixed = rng.integers(0, 11, len(rows))
    score = np.where(persona == P["loyal"], happy, mixed)
    return NpsAnswers(contact=rows, t=t[answers], score=score)
