"""The simulated world, block by block.

Persons are simulated in fixed blocks of `SimConfig.block_persons`, each with
its own random generator seeded from (seed, block number), so that a run can
stream any number of persons through a bounded amount of memory and the
output does not depend on how many blocks are generated at once (the chunk).
Everything that ties persons together stays inside one block (the family
tablets) or is shared by every block through a small, fixed state (the
cashier's shift days, the first time their card was scanned). The staff (two
QA testers and the cashier) form the last block.

A block is returned as the tables the writer registers in DuckDB, with run-wide
numbers (person, visit, event, order, sale, contact, email event), so that the
tables of consecutive blocks simply concatenate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from journey.simulate import crm, offline, online
from journey.simulate.config import SimConfig
from journey.simulate.offline import CASHIER, CashierShifts
from journey.simulate.online import K
from journey.simulate.population import N_INTERNAL, build_population

# One table: column name -> values (numpy, or Arrow for timestamps and nulls).
Table = dict[str, "np.ndarray | pa.Array"]
Tables = dict[str, Table]

_SHARED_STREAM = 0  # the cashier's shift days
_BLOCK_STREAM = 1
_ADS_STREAM = 2


@dataclass(frozen=True)
class Block:
    number: int
    first: int  # number of its first person
    persons: int
    staff: bool
    tablets: int  # family tablets shared inside the block
    first_tablet: int  # run-wide number of its first tablet
    scans: int  # customers the cashier scans their own card for


@dataclass(frozen=True)
class Counters:
    """Run-wide numbers already used by earlier blocks."""

    sessions: int = 0
    events: int = 0
    orders: int = 0
    sales: int = 0
    contacts: int = 0
    mail: int = 0
    cashier_card_used_at: float = np.inf  # first scan of the cashier's card so far


def _share(total: int, start: int, end: int, persons: int) -> int:
    """The part of `total` that falls to persons start .. end - 1 (largest
    remainder by position, so the parts add up to total)."""
    return total * end // persons - total * start // persons


def plan(cfg: SimConfig) -> list[Block]:
    """The blocks of a run: customers in blocks of block_persons, then the staff."""
    blocks = []
    size = cfg.block_persons
    for number, first in enumerate(range(0, cfg.persons, size)):
        end = min(first + size, cfg.persons)
        blocks.append(
            Block(
                number=number,
                first=first,
                persons=end - first,
                staff=False,
                tablets=_share(cfg.n_shared_tablets, first, end, cfg.persons),
                first_tablet=_share(cfg.n_shared_tablets, 0, first, cfg.persons),
                scans=_share(cfg.n_employee_scans, first, end, cfg.persons),
            )
        )
    blocks.append(Block(len(blocks), cfg.persons, N_INTERNAL, True, 0, cfg.n_shared_tablets, 0))
    return blocks


def cashier(cfg: SimConfig) -> int:
    """The cashier's person number: the last of the staff block."""
    return cfg.persons + N_INTERNAL - 1


def shift_days(cfg: SimConfig) -> np.ndarray:
    return offline.cashier_shift_days(cfg, np.random.default_rng([cfg.seed, _SHARED_STREAM]))


def ads_rng(cfg: SimConfig) -> np.random.Generator:
    return np.random.default_rng([cfg.seed, _ADS_STREAM])


def to_ts(start: np.datetime64, days: np.ndarray) -> pa.Array:
    """Days since start as millisecond timestamps (inf and NaN become null)."""
    finite = np.isfinite(days)
    ms = (np.where(finite, days, 0.0) * 86_400_000).astype(np.int64)
    return pa.array(start + ms.astype("timedelta64[ms]"), mask=~finite)


def generate(cfg: SimConfig, block: Block, shifts: np.ndarray, done: Counters) -> tuple[Tables, Counters]:
    """Simulate one block; `done` numbers what earlier blocks used."""
    rng = np.random.default_rng([cfg.seed, _BLOCK_STREAM, block.number])
    pop = build_population(cfg, rng, block.first, block.persons, staff=block.staff)
    sessions, milestones = online.organic_sessions(cfg, pop, rng, block.tablets, block.first_tablet)
    sales = offline.store_sales(cfg, pop, sessions, milestones, rng, CashierShifts(shifts, block.scans))
    scanned = sales.card_owner == CASHIER
    card_used = min(done.cashier_card_used_at, float(sales.local_t[scanned].min(initial=np.inf)))
    contacts = crm.contacts(cfg, pop, milestones, sales, rng, card_used)
    mail = crm.email_events(cfg, pop, contacts, rng)
    click = np.flatnonzero(mail.kind == crm.E["click"])
    sessions = online.Sessions.concat(
        sessions,
        online.click_sessions(
            pop,
            milestones,
            contacts.person[mail.contact[click]],
            mail.t[click] + 5 / 86400,
            click,
            mail.campaign[click],
            rng,
        ),
    )
    events = online.explode_events(pop, sessions, milestones.tablet_pair, rng, done.orders)
    store_first = np.full(pop.n, np.inf)
    sale_ok = ~sales.is_return
    np.minimum.at(store_first, sales.person[sale_ok], sales.local_t[sale_ok])
    first_purchase = np.minimum(milestones.first_order_at, store_first)
    nps = crm.nps_answers(cfg, pop, contacts, first_purchase, rng)

    start = np.datetime64(cfg.start_ts, "ms")
    first = block.first
    n = pop.n
    tables: Tables = {}
    tables["persons"] = {
        "p": first + np.arange(n),
        "persona": pop.persona,
        "country": pop.country,
        "is_ios": pop.is_ios,
        "denies_tracking": pop.denies_tracking,
        "has_phone": pop.has_phone,
        "is_qa": np.full(n, block.staff),
        "is_employee": pop.is_employee,
        "erased_at": to_ts(start, pop.erased_at),
    }
    late = rng.random(len(sessions)) < cfg.late_app_rate
    tables["sessions"] = {
        "s": done.sessions + np.arange(len(sessions)),
        "blk": np.full(len(sessions), block.number),
        "p": first + sessions.person,
        "started_at": to_ts(start, sessions.start),
        "device": sessions.device,
        "channel": sessions.channel,
        "campaign": sessions.campaign,
        "is_order": sessions.is_order,
        "email_send": np.where(sessions.email_send >= 0, done.mail + sessions.email_send, -1),
        "late_days": np.where(late, rng.uniform(0.05, 9.9, len(sessions)), 0.0),
    }
    m = len(events.session)
    dup = rng.random(m) < cfg.duplicate_rate
    junk = rng.random(m)
    delay = rng.choice([0.00001, 0.6, 1.5], m)
    tables["events"] = {
        "e": done.events + np.arange(m),
        "blk": np.full(m, block.number),
        "s": done.sessions + events.session,
        "kind": events.kind,
        "ts": to_ts(start, events.t),
        "cookie": events.cookie,
        "logged_in": events.logged_in,
        "traits": events.traits,
        "order_id": events.order_id,
        "product": events.product,
        "quantity": events.quantity,
        "variant": rng.integers(0, 20, m),
        "junk_anonymous": np.where(junk < cfg.junk_rate / 2, rng.integers(1, 4, m), 0),
        "junk_user": np.where(junk > 1 - cfg.junk_rate / 2, rng.integers(1, 5, m), 0),
        "malformed": rng.random(m) < cfg.malformed_url_rate,
        # a collector crash cut a few page-view lines short: invalid JSON
        "truncated": (rng.random(m) < cfg.truncated_line_rate) & (events.kind == K["extra_page"]),
        "duplicate_delay": pa.array(delay, mask=~dup),
        "jitter_ms": rng.integers(200, 3000, m),
    }
    t = len(sales.person)
    card_owner = np.where(sales.card_owner >= 0, first + sales.card_owner, sales.card_owner)
    tables["sales"] = {
        "t": done.sales + np.arange(t),
        "blk": np.full(t, block.number),
        "p": first + sales.person,
        "store": sales.store,
        "local_at": to_ts(start, sales.local_t),
        "card_owner": np.where(card_owner == CASHIER, cashier(cfg), card_owner),
        "receipt_email": sales.receipt_email,
        "is_return": sales.is_return,
        "original": np.where(sales.original >= 0, done.sales + sales.original, -1),
        "bad_date": sales.bad_date,
        "bad_amount": sales.bad_amount,
    }
    tables["sale_lines"] = {
        "t": done.sales + sales.line_txn,
        "product": sales.line_product,
        "quantity": sales.line_quantity,
    }
    c = len(contacts.person)
    tables["contacts"] = {
        "c": done.contacts + np.arange(c),
        "blk": np.full(c, block.number),
        "p": first + contacts.person,
        "created_at": to_ts(start, contacts.created_at),
        "has_customer_id": contacts.has_customer_id,
        "card_at": to_ts(start, contacts.card_at),
        "consent": contacts.consent,
        "consent_flip_at": to_ts(start, contacts.consent_flip_at),
        "erased_at": to_ts(start, contacts.erased_at),
        "is_duplicate": contacts.is_duplicate,
        "variant": rng.integers(0, 20, c),
    }
    k = len(mail.contact)
    tables["mail"] = {
        "m": done.mail + np.arange(k),
        "blk": np.full(k, block.number),
        "c": done.contacts + mail.contact,
        "campaign": mail.campaign,
        "kind": mail.kind,
        "ts": to_ts(start, mail.t),
    }
    tables["nps"] = {
        "c": done.contacts + nps.contact,
        "blk": np.full(len(nps.contact), block.number),
        "ts": to_ts(start, nps.t),
        "score": nps.score,
    }
    used = replace(
        done,
        sessions=done.sessions + len(sessions),
        events=done.events + m,
        orders=done.orders + int((events.order_id >= 0).sum()),
        sales=done.sales + t,
        contacts=done.contacts + c,
        mail=done.mail + k,
        cashier_card_used_at=card_used,
    )
    return tables, used


def concat(parts: list[Tables]) -> Tables:
    """The tables of consecutive blocks as one."""
    out: Tables = {}
    for name in parts[0]:
        out[name] = {}
        for column, first in parts[0][name].items():
            values = [p[name][column] for p in parts]
            out[name][column] = (
                pa.concat_arrays(values) if isinstance(first, pa.Array) else np.concatenate(values)
            )
    return out
