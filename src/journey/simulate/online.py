"""Web and app visits (sessions) and the Segment events they emit."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from journey.simulate.arrays import (
    BoolArray,
    FloatArray,
    IntArray,
    first_true_in_group,
    group_min,
    pick,
    rank_in_group,
    segmented_cumsum,
)
from journey.simulate.config import CAMPAIGNS, CH, CHANNELS, PRODUCTS, SimConfig
from journey.simulate.population import P, Population

APP = 3  # device number of the app install
SHARED = 4  # device number of a family tablet shared by two account holders
SECOND = 1 / 86400

# Event kinds, in the order they happen inside a visit.
KINDS = (
    "install",
    "landing",
    "search",
    "product_page",
    "product_viewed",
    "extra_page",
    "added",
    "cart",
    "identify_newsletter",
    "newsletter",
    "identify",
    "signed_up",
    "checkout",
    "order",
    "review",
    "referral",
    "unknown",
)
K = {name: i for i, name in enumerate(KINDS)}
EXTRA_PAGES = 4
SLOTS = (
    [K["install"], K["landing"], K["search"], K["product_page"], K["product_viewed"]]
    + [K["extra_page"]] * EXTRA_PAGES
    + [K[k] for k in KINDS[K["added"] :]]
)


@dataclass
class Sessions:
    """One row per simulated visit; times in days since start."""

    person: IntArray
    start: FloatArray
    device: IntArray
    channel: IntArray
    campaign: IntArray  # index in CAMPAIGNS or PUSH_CAMPAIGNS (push), -1 if none
    depth: IntArray  # 1 landing only .. 4 checkout started, 5 order
    n_extra: IntArray
    is_order: BoolArray
    login: BoolArray
    signup: BoolArray
    guest: BoolArray
    newsletter: BoolArray
    search: BoolArray
    review: BoolArray
    referral: BoolArray
    unknown: BoolArray
    install: BoolArray
    email_send: IntArray  # row of the email send that was clicked, -1 otherwise

    def __len__(self) -> int:
        return len(self.person)

    def take(self, idx: IntArray | BoolArray) -> Sessions:
        return Sessions(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @staticmethod
    def concat(a: Sessions, b: Sessions) -> Sessions:
        merged = Sessions(
            **{
                f.name: np.concatenate([getattr(a, f.name), getattr(b, f.name)])
                for f in fields(a)
            }
        )
        return merged.take(np.lexsort((merged.start, merged.person)))


@dataclass
class PersonMilestones:
    """Per person, from the organic visits: when they signed up and first ordered."""

    signup_at: FloatArray  # inf if never
    newsletter_at: FloatArray
    guest_email_at: FloatArray
    first_order_at: FloatArray
    tablet_pair: IntArray  # family tablet number (over the whole run), -1 if none


def campaign_for(rng: np.random.Generator, channel: IntArray) -> IntArray:
    """A campaign of the visit's channel, or -1 for channels without one."""
    out = np.full(len(channel), -1, dtype=np.int64)
    for code, name in enumerate(CHANNELS):
        rows = [i for i, c in enumerate(CAMPAIGNS) if c[0] == name]
        hit = channel == code
        if rows and hit.any():
            out[hit] = np.array(rows)[rng.integers(0, len(rows), hit.sum())]
    return out


def _depth(rng: np.random.Generator, n: int) -> IntArray:
    return 1 + pick(rng, (0.35, 0.35, 0.18, 0.12), n)


def organic_sessions(
    cfg: SimConfig, pop: Population, rng: np.random.Generator, tablets: int, first_tablet: int
) -> tuple[Sessions, PersonMilestones]:
    """Visits people make on their own (not from an email click). `tablets`
    family tablets are shared inside this block, numbered from first_tablet."""
    base = np.array([1, 3, 0, 1, 4, 0, 0])[pop.persona]
    lam = np.array([1.0, 6.0, 0.4, 1.5, 8.0, 0.4, 0.0])[pop.persona]
    count = base + rng.poisson(lam)
    qa = pop.is_qa  # the employee only shops in the store
    count[qa] = 8
    person = np.repeat(np.arange(pop.n), count)
    persona = pop.persona[person]
    gap_mean = np.array([12.0, 3.5, 15.0, 8.0, 6.0, 15.0, 5.0])[persona]
    # at least 72 minutes between visits so that no two merge on inactivity
    gaps = rng.exponential(gap_mean) + 0.05
    rank = rank_in_group(person)
    gaps[rank == 0] = 0.0
    start = pop.arrival[person] + segmented_cumsum(gaps, person)
    keep = start < cfg.days
    person, persona, start, rank = person[keep], persona[keep], start[keep], rank[keep]
    n = len(person)
    size = np.bincount(person, minlength=pop.n)[person]

    n_dev = pop.n_web[person] + pop.has_app[person]
    device = np.floor(rng.random(n) * n_dev).astype(np.int64)
    device = np.where(device >= pop.n_web[person], APP, device)
    is_app = device == APP
    install = first_true_in_group(person, is_app)

    later = pick(rng, (0.3, 0.22, 0.12, 0.12, 0.06, 0.0, 0.05, 0.03, 0.05, 0.0), n)
    channel = np.where(rank == 0, pop.acquisition[person], later)
    app_channel = np.array([CH["direct"], CH["push"], CH["paid_social"]])[
        pick(rng, (0.6, 0.3, 0.1), n)
    ]
    first_app_channel = np.where(rng.random(n) < 0.4, CH["paid_social"], CH["direct"])
    channel = np.where(is_app, np.where(install, first_app_channel, app_channel), channel)
    campaign = campaign_for(rng, channel)
    push = channel == CH["push"]
    campaign[push] = rng.integers(0, 3, push.sum())

    roll = rng.random(n)
    order_prob = np.select(
        [
            persona == P["impulse"],
            (persona == P["researcher"]) & (rank == size - 1) & (size >= 3),
            persona == P["loyal"],
        ],
        [np.where(rank == 0, 0.85, 0.05), 0.6, 0.3],
        0.0,
    )
    is_order = roll < order_prob
    depth = np.where(is_order, 5, _depth(rng, n))

    # the family tablets: two account holders who each log in on the same device
    pairs = _shared_tablet_pairs(pop, rng, tablets)
    pair_of = np.full(pop.n, -1, dtype=np.int64)
    pair_of[pairs[:, 0]] = first_tablet + np.arange(len(pairs))
    pair_of[pairs[:, 1]] = first_tablet + np.arange(len(pairs))
    # each holder's first web visit is on the tablet, so that both use it
    holder_web = (pair_of[person] >= 0) & ~is_app
    on_tablet = holder_web & ((rng.random(n) < 0.4) | first_true_in_group(person, holder_web))
    device = np.where(on_tablet, SHARED, device)
    force_login = first_true_in_group(person, device == SHARED) | qa[person]

    account = pop.wants_account[person]
    wants_login = is_order | (depth >= 4) | force_login | install
    signup = account & first_true_in_group(person, account & wants_login)
    signup_at = group_min(person[signup], start[signup], pop.n)
    login = account & wants_login & (start >= signup_at[person])
    guest = is_order & ~account
    newsletter = first_true_in_group(
        person, ~account & (depth >= 2) & (rng.random(n) < 0.1) & ~qa[person]
    )
    first_order_at = group_min(person[is_order], start[is_order], pop.n)
    after_order = start > first_order_at[person]

    sessions = Sessions(
        person=person,
        start=start,
        device=device,
        channel=channel,
        campaign=campaign,
        depth=depth,
        n_extra=np.where(depth > 1, np.minimum(rng.poisson(1.5, n), EXTRA_PAGES), 0),
        is_order=is_order,
        login=login,
        signup=signup,
        guest=guest,
        newsletter=newsletter,
        search=(channel == CH["organic_search"]) & (rng.random(n) < 0.5),
        review=after_order & (rng.random(n) < 0.15),
        referral=after_order & (rng.random(n) < 0.06),
        unknown=rng.random(n) < cfg.unknown_event_rate * 5,
        install=install,
        email_send=np.full(n, -1, dtype=np.int64),
    )
    milestones = PersonMilestones(
        signup_at=signup_at,
        newsletter_at=group_min(person[newsletter], start[newsletter], pop.n),
        guest_email_at=group_min(person[guest], start[guest], pop.n),
        first_order_at=first_order_at,
        tablet_pair=pair_of,
    )
    return sessions, milestones


def _shared_tablet_pairs(pop: Population, rng: np.random.Generator, tablets: int) -> IntArray:
    eligible = np.flatnonzero(
        pop.wants_account
        & np.isin(pop.persona, [P["loyal"], P["researcher"]])
        & (pop.country == 0)
    )
    k = min(tablets, len(eligible) // 2)
    chosen = rng.choice(eligible, size=2 * k, replace=False)
    return chosen.reshape(k, 2).astype(np.int64)


def click_sessions(
    pop: Population,
    milestones: PersonMilestones,
    person: IntArray,
    clicked_at: FloatArray,
    send_row: IntArray,
    campaign: IntArray,
    rng: np.random.Generator,
) -> Sessions:
    """Visits that start with a click in a marketing email."""
    n = len(person)
    buys = (pop.persona[person] != P["window_shopper"]) & (rng.random(n) < 0.06)
    depth = np.where(buys, 5, _depth(rng, n))
    account = pop.wants_account[person]
    after_signup = clicked_at >= milestones.signup_at[person]
    after_order = clicked_at > milestones.first_order_at[person]
    return Sessions(
        person=person,
        start=clicked_at,
        device=np.floor(rng.random(n) * pop.n_web[person]).astype(np.int64),
        channel=np.full(n, CH["email"], dtype=np.int64),
        campaign=campaign,
        depth=depth,
        n_extra=np.where(depth > 1, np.minimum(rng.poisson(1.5, n), EXTRA_PAGES), 0),
        is_order=buys,
        login=account & after_signup & (depth >= 4),
        signup=np.zeros(n, dtype=bool),
        guest=buys & ~(account & after_signup),
        newsletter=np.zeros(n, dtype=bool),
        search=np.zeros(n, dtype=bool),
        review=after_order & (rng.random(n) < 0.15),
        referral=after_order & (rng.random(n) < 0.06),
        unknown=np.zeros(n, dtype=bool),
        install=np.zeros(n, dtype=bool),
        email_send=send_row,
    )


@dataclass
class Events:
    """One row per emitted event (before duplication); times in days since start."""

    session: IntArray
    kind: IntArray
    t: FloatArray
    cookie: IntArray  # anonymousId key: see cookie_key()
    logged_in: BoolArray
    traits: IntArray  # 0 none, 1 email, 2 email and phone
    order_id: IntArray  # -1 unless kind == order
    product: IntArray
    quantity: IntArray


def cookie_key(pop: Population, s: Sessions, pair_of: IntArray) -> IntArray:
    """Integer key of the anonymousId a visit is recorded under.

    Web cookies rotate: Safari's 7-day cap, other browsers when the person
    clears cookies. Each app install keeps one id. A shared tablet has one
    cookie for its whole household.
    """
    p = s.person
    safari = ((s.device == 0) | (s.device == 2)) & pop.is_ios[p]
    safari |= (s.device == 1) & pop.safari_desktop[p]
    life = np.where(safari, 7, pop.cookie_life[p])
    qa = pop.persona[p] == P["internal"]
    life = np.where(qa, 1, life)
    epoch = np.floor((s.start + pop.cookie_phase[p]) / life).astype(np.int64)
    number = pop.first + p  # the person's number over the whole run
    key = number * 100_000 + s.device * 10_000 + epoch
    key = np.where(s.device == APP, number * 100_000 + APP * 10_000, key)
    return np.where(s.device == SHARED, -(pair_of[p] + 1), key)


def explode_events(
    pop: Population, s: Sessions, pair_of: IntArray, rng: np.random.Generator, first_order: int
) -> Events:
    """Turn visits into their ordered events, and work out who is logged in.
    Orders are numbered from first_order over the whole run."""
    n = len(s)
    slots = np.array(SLOTS)
    mask = np.zeros((n, len(slots)), dtype=bool)
    col = {k: np.flatnonzero(slots == K[k])[0] for k in KINDS if k != "extra_page"}
    mask[:, col["install"]] = s.install
    mask[:, col["landing"]] = True
    mask[:, col["search"]] = s.search
    mask[:, col["product_page"]] = s.depth >= 2
    mask[:, col["product_viewed"]] = s.depth >= 2
    extra = np.flatnonzero(slots == K["extra_page"])
    mask[:, extra] = np.arange(EXTRA_PAGES)[None, :] < s.n_extra[:, None]
    mask[:, col["added"]] = s.depth >= 3
    mask[:, col["cart"]] = s.depth >= 4
    mask[:, col["identify_newsletter"]] = s.newsletter
    mask[:, col["newsletter"]] = s.newsletter
    mask[:, col["identify"]] = s.login | s.guest
    mask[:, col["signed_up"]] = s.signup
    mask[:, col["checkout"]] = s.depth >= 4
    mask[:, col["order"]] = s.is_order
    mask[:, col["review"]] = s.review
    mask[:, col["referral"]] = s.referral
    mask[:, col["unknown"]] = s.unknown

    session, slot = np.nonzero(mask)
    kind = slots[slot]
    m = len(session)
    step = rng.uniform(3, 40, m) * SECOND
    step[np.r_[True, session[1:] != session[:-1]]] = 0.0
    t = s.start[session] + segmented_cumsum(step, session)

    cookie = cookie_key(pop, s, pair_of)[session]
    person = s.person[session]
    # logged in from the first login of this person on this anonymousId on
    login_event = (kind == K["identify"]) & s.login[session]
    pair_key = cookie * 1_000_003 + person  # unique per (anonymousId, person)
    uniq, inverse = np.unique(pair_key, return_inverse=True)
    first_login = group_min(inverse[login_event], t[login_event], len(uniq))
    logged_in = t >= first_login[inverse]

    traits = np.zeros(m, dtype=np.int64)
    is_identify = kind == K["identify"]
    traits[is_identify & s.guest[session]] = 1
    traits[is_identify & s.login[session] & (rng.random(m) < 0.2)] = 1
    traits[is_identify & s.signup[session]] = np.where(
        pop.has_phone[person[is_identify & s.signup[session]]], 2, 1
    )
    traits[kind == K["identify_newsletter"]] = 1

    is_order = kind == K["order"]
    order_id = np.full(m, -1, dtype=np.int64)
    order_id[is_order] = 100_000 + first_order + np.arange(is_order.sum())
    return Events(
        session=session,
        kind=kind,
        t=t,
        cookie=cookie,
        logged_in=logged_in,
        traits=traits,
        order_id=order_id,
        product=rng.integers(0, len(PRODUCTS), m),
        quantity=1 + rng.poisson(0.4, m),
    )
