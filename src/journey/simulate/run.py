"""simulate(): the whole run, chunk by chunk, with a progress bar."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
from tqdm import tqdm

from journey.simulate import blocks, crm, writer
from journey.simulate.config import STORES, SimConfig, load_rates
from journey.simulate.identities import install_macros
from journey.simulate.population import N_INTERNAL
from journey.simulate.truth import collect_truth, write_truth

# DuckDB's share of the simulator's memory (env JOURNEY_SIMULATE_MEMORY_LIMIT).
SCRATCH_MEMORY_LIMIT = os.environ.get("JOURNEY_SIMULATE_MEMORY_LIMIT", "2GB")
# persons generated and written at once: memory grows with it, the files do not change
DEFAULT_CHUNK_PERSONS = 50_000


@dataclass(frozen=True)
class SimulationSummary:
    persons: int
    sessions: int
    events: int
    store_transactions: int
    contacts: int
    email_events: int
    truth_rows: dict[str, int]


def chunks(plan: list[blocks.Block], chunk_persons: int) -> list[list[blocks.Block]]:
    """Consecutive blocks, about chunk_persons persons at a time (at least one block)."""
    out: list[list[blocks.Block]] = [[]]
    for block in plan:
        if out[-1] and sum(b.persons for b in out[-1]) + block.persons > chunk_persons:
            out.append([])
        out[-1].append(block)
    return out


def simulate(
    cfg: SimConfig,
    out: Path,
    progress: bool = True,
    chunk_persons: int = DEFAULT_CHUNK_PERSONS,
) -> SimulationSummary:
    """Write `out/landing` (the contract's landing zone) and `out/truth` (Parquet).

    Blocks are generated and written chunk by chunk; a chunk's lines are
    appended to the files, so memory depends on the chunk, not on the run.
    """
    if not cfg.rates:
        cfg = replace(cfg, rates=load_rates())
    plan = blocks.plan(cfg)
    groups = chunks(plan, chunk_persons)
    bar = tqdm(total=len(plan), desc="simulate", disable=not progress, unit="block")

    landing = out / "landing"
    writer.reset(landing)
    out.mkdir(parents=True, exist_ok=True)
    # DuckDB spells each chunk's rows within a memory limit; the truth of every
    # chunk waits in a scratch database on disk until the end.
    scratch = out / ".simulate.duckdb"
    spill = out / ".simulate.tmp"
    for stale in (scratch, scratch.with_name(scratch.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{SCRATCH_MEMORY_LIMIT}'")
    con.execute(f"set temp_directory = '{spill}'")
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{scratch}' as acc")
    install_macros(con, cfg.seed)
    writer.register_reference(con, cfg.rates)
    writer.register_costs(con, cfg)
    files = {platform: writer.GzipDays(landing / platform) for platform in ("web", "app")}
    shifts = blocks.shift_days(cfg)
    done = blocks.Counters()
    store_done = {store: 0 for store in range(len(STORES))}
    for group in groups:
        parts = []
        for block in group:
            tables, done = blocks.generate(cfg, block, shifts, done)
            parts.append(tables)
        writer.register_tables(con, blocks.concat(parts))
        del parts
        writer.write_events(con, cfg, files)
        writer.write_crm(con, landing, crm.snapshot_days(cfg), cfg)
        writer.write_pos(con, landing, store_done)
        writer.write_affiliates(con, landing, cfg)
        writer.count_visits(con)
        collect_truth(con, blocks.cashier(cfg))
        bar.update(len(group))
    for platform, day_files in files.items():
        day_files.close()
        if cfg.layout != "contract":
            writer.vendor_layout(landing / platform, platform, cfg.layout)
    writer.write_stores(con, landing)
    writer.write_catalog(con, landing, cfg)
    writer.write_costs(con, landing, cfg)
    writer.write_ads(con, landing, cfg, blocks.ads_rng(cfg))
    truth = write_truth(con, out / "truth")
    con.close()
    for scratch_file in (scratch, scratch.with_name(scratch.name + ".wal")):
        scratch_file.unlink(missing_ok=True)
    shutil.rmtree(spill, ignore_errors=True)
    bar.close()
    return SimulationSummary(
        persons=cfg.persons + N_INTERNAL,
        sessions=done.sessions,
        events=done.events,
        store_transactions=done.sales,
        contacts=done.contacts,
        email_events=done.mail,
        truth_rows=truth,
    )
