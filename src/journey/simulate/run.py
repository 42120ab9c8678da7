"""simulate(): the whole run, step by step, with a progress bar."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import numpy as np
from tqdm import tqdm

from journey.simulate import crm, offline, online, writer
from journey.simulate.config import SimConfig, load_rates
from journey.simulate.identities import install_macros
from journey.simulate.population import build_population
from journey.simulate.truth import write_truth


# DuckDB's share of the simulator's memory (env JOURNEY_SIMULATE_MEMORY_LIMIT).
SCRATCH_MEMORY_LIMIT = os.environ.get("JOURNEY_SIMULATE_MEMORY_LIMIT", "2GB")


@dataclass(frozen=True)
class SimulationSummary:
    persons: int
    sessions: int
    events: int
    store_transactions: int
    contacts: int
    email_events: int
    truth_rows: dict[str, int]


def simulate(cfg: SimConfig, out: Path, progress: bool = True) -> SimulationSummary:
    """Write `out/landing` (the contract's landing zone) and `out/truth` (Parquet)."""
    if not cfg.rates:
        cfg = replace(cfg, rates=load_rates())
    rng = np.random.default_rng(cfg.seed)
    steps = tqdm(total=9, desc="simulate", disable=not progress, unit="step")

    def step(label: str) -> None:
        steps.set_postfix_str(label)
        steps.update(1)

    pop = build_population(cfg, rng)
    step("people")
    sessions, milestones = online.organic_sessions(cfg, pop, rng)
    step("visits")
    sales = offline.store_sales(cfg, pop, sessions, milestones, rng)
    contacts = crm.contacts(cfg, pop, milestones, sales, rng)
    mail = crm.email_events(cfg, pop, contacts, rng)
    step("crm and email")
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
    events = online.explode_events(pop, sessions, milestones.tablet_pair, rng)
    step("events")
    first_online = milestones.first_order_at
    store_first = np.full(pop.n, np.inf)
    sale_ok = ~sales.is_return
    np.minimum.at(store_first, sales.person[sale_ok], sales.local_t[sale_ok])
    nps = crm.nps_answers(cfg, pop, contacts, np.minimum(first_online, store_first), rng)

    landing = out / "landing"
    writer.reset(landing)
    # The files are assembled by DuckDB in a scratch database on disk, within
    # a memory limit, so that the lines of a large run spill to disk instead
    # of being held in memory (every event is a ~500-byte JSON line).
    out.mkdir(parents=True, exist_ok=True)
    scratch = out / ".simulate.duckdb"
    for stale in (scratch, scratch.with_name(scratch.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect(str(scratch))
    con.execute(f"set memory_limit = '{SCRATCH_MEMORY_LIMIT}'")
    con.execute(f"set temp_directory = '{out / '.simulate.tmp'}'")
    con.execute("set TimeZone = 'UTC'")
    install_macros(con, cfg.seed)
    writer.register_reference(con, cfg.rates)
    writer.register_world(con, cfg, pop, sessions, events, sales, contacts, mail, nps, rng)
    step("tables")
    writer.write_events(con, landing, cfg)
    step("web and app files")
    writer.write_crm(con, landing, crm.snapshot_days(cfg), cfg)
    step("crm and survey files")
    writer.write_pos(con, landing, cfg)
    writer.write_ads(con, landing, cfg, rng)
    step("store and ad files")
    truth = write_truth(con, out / "truth")
    con.close()
    for scratch_file in (scratch, scratch.with_name(scratch.name + ".wal")):
        scratch_file.unlink(missing_ok=True)
    shutil.rmtree(out / ".simulate.tmp", ignore_errors=True)
    step("truth")
    steps.close()
    return SimulationSummary(
        persons=pop.n,
        sessions=len(sessions),
        events=len(events.session),
        store_transactions=len(sales.person),
        contacts=len(contacts.person),
        email_events=len(mail.contact),
        truth_rows=truth,
    )
