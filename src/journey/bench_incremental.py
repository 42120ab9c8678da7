"""`journey bench incremental`: what one day of new files costs on the history
of all the days before it, against a full build of the same files.

The zone (simulated, or --landing) is cut into the history (every day but
the last) and the last day's delivery (journey.deliveries). The history is
built once; then each run starts again from that build and its files: the
daily build (`dbt build` after the day's delivery), a build with nothing new,
and `dbt build --full-refresh` on the same files from nothing. dbt's fixed
cost is measured beside them: a build with nothing new on a zone of the
same days and a hundred persons, where the project's nodes cost what dbt
spends on each (compiling, metadata queries, tests) and next to nothing
reading data. Each step runs in its own process; medians are reported, and the ratios compare medians of
the same run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

from journey.bench import (
    Measure,
    budget_line,
    commit_name,
    machine_line,
    median_step,
    node_memory,
    node_times,
    run_step,
    write_report,
)
from journey.deliveries import cut_deliveries, deliver
from journey.serving import DEFAULT_MEMORY, MEMORY_ENV, build_path, next_path, working_paths
from journey.simulate.config import project_root


def _saved(workdir: Path, database: Path) -> list[tuple[Path, Path]]:
    """Each working file of the history build and where it is kept."""
    return [(path, workdir / f"history{path.name[len(database.name):]}") for path in working_paths(database)]


def _restore(workdir: Path, database: Path) -> None:
    """The working files as the history build left them; the served file goes."""
    database.unlink(missing_ok=True)
    for path, saved in _saved(workdir, database):
        shutil.copyfile(saved, path)


def run_incremental_bench(
    persons: int,
    days: int,
    seed: int,
    start: date,
    workdir: Path,
    repeat: int,
    report: Path | None = None,
    landing: Path | None = None,
) -> int:
    workdir = workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    bin_dir = Path(sys.executable).parent
    root = project_root()
    zone = workdir / "zone"
    database = workdir / "bench.duckdb"
    env = {
        **os.environ,
        "JOURNEY_LANDING_PATH": str(zone),
        "JOURNEY_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(root),
        "DO_NOT_TRACK": "1",
    }
    env["JOURNEY_DBT_THREADS"] = env.get("JOURNEY_DBT_THREADS") or "1"
    budget = env.get(MEMORY_ENV) or DEFAULT_MEMORY

    def dbt(command: str, folder: Path) -> list[str]:
        """A dbt command on the project, its target and logs in `folder`."""
        return [
            str(bin_dir / "dbt"), command, "--project-dir", str(root), "--profiles-dir", str(root),
            "--target-path", str(folder / "target"), "--log-path", str(folder / "logs"),
        ]  # fmt: skip

    def simulate(count: int, out: Path) -> list[str]:
        """`journey simulate` of `count` persons over the bench's days."""
        return [
            str(bin_dir / "journey"), "simulate", "--persons", str(count), "--days", str(days),
            "--seed", str(seed), "--start", start.isoformat(), "--out", str(out), "--quiet",
        ]  # fmt: skip

    # every build as in production: without the unit tests, which dbt's
    # documentation keeps to development and CI (their inputs are static)
    build = [*dbt("build", workdir), "--exclude-resource-type", "unit_test"]
    full_refresh = [*build, "--full-refresh"]
    parse = dbt("parse", workdir)
    spill = Path(str(build_path(database)) + ".tmp")
    # the fixed cost: the same project on a zone of a hundred persons
    tiny = workdir / "fixed"
    tiny_env = {**env, "JOURNEY_LANDING_PATH": str(tiny / "data" / "landing"),
                "JOURNEY_DUCKDB_PATH": str(tiny / "fixed.duckdb")}  # fmt: skip
    tiny_build = [*dbt("build", tiny), "--exclude-resource-type", "unit_test"]

    if landing is None:
        print("simulate", flush=True)
        run_step(simulate(persons, workdir / "data"), env, workdir / "simulate.log")
        landing = workdir / "data" / "landing"
    last = start + timedelta(days - 1)
    print("cut the zone into the history and the last day", flush=True)
    history, day = cut_deliveries(landing, workdir / "deliveries", [last - timedelta(1), last])
    deliver(history, zone)
    print("history: dbt build", flush=True)
    first = run_step(build, env, workdir / "history.log", spill)
    for path, saved in _saved(workdir, database):
        shutil.copyfile(path, saved)
    print("fixed cost: simulate a hundred persons and build them", flush=True)
    tiny.mkdir()
    run_step(simulate(100, tiny / "data"), tiny_env, tiny / "simulate.log")
    run_step(tiny_build, tiny_env, tiny / "first.log")

    daily: list[Measure] = []
    unchanged: list[Measure] = []
    fulls: list[Measure] = []
    parses: list[Measure] = []
    fixed: list[Measure] = []
    for i in range(repeat):
        _restore(workdir, database)
        if i == repeat - 1:
            for _, saved in _saved(workdir, database):
                saved.unlink()  # no run restores it again: its disk is free (a 1M warehouse is ~20 GB)
        delivered = deliver(day, zone)
        print(f"run {i + 1}/{repeat}: daily build", flush=True)
        daily.append(run_step(build, env, workdir / "daily.log", spill))
        daily_next = next_path(database).stat().st_size
        shutil.copyfile(workdir / "target" / "run_results.json", workdir / "daily_run_results.json")
        print(f"run {i + 1}/{repeat}: build with nothing new", flush=True)
        unchanged.append(run_step(build, env, workdir / "unchanged.log", spill))
        shutil.copyfile(workdir / "target" / "run_results.json", workdir / "unchanged_run_results.json")
        print(f"run {i + 1}/{repeat}: dbt parse", flush=True)
        parses.append(run_step(parse, env, workdir / "parse.log"))
        print(f"run {i + 1}/{repeat}: dbt's fixed cost", flush=True)
        fixed.append(run_step(tiny_build, tiny_env, tiny / "unchanged.log"))
        print(f"run {i + 1}/{repeat}: full refresh", flush=True)
        for stale in (database, *working_paths(database)):
            stale.unlink(missing_ok=True)
        fulls.append(run_step(full_refresh, env, workdir / "full.log", spill))
        for path in delivered:
            path.unlink()

    da, un, fu, pa = median_step(daily), median_step(unchanged), median_step(fulls), median_step(parses)
    fx = median_step(fixed)
    nodes = len(json.loads((tiny / "target" / "run_results.json").read_text())["results"])
    command = (
        f"journey bench incremental --persons {persons} --days {days} --seed {seed}"
        f" --start {start.isoformat()} --repeat {repeat}" + (f" --landing {landing}" if landing != workdir / "data" / "landing" else "")
    )
    lines = [
        f"# Daily build: one day of new files on {days - 1} days of history, {persons:,} persons",
        "",
        f"Written by `{command}` on {time.strftime('%Y-%m-%d')}; version"
        f" {version('customer-journey-warehouse')} (commit {commit_name(root)}); {machine_line()};"
        f" dbt threads {env['JOURNEY_DBT_THREADS']}, memory budget {budget} ({MEMORY_ENV})."
        f" Medians of {repeat} runs, each step in its own process, each run from the same"
        " history build; the ratios compare medians of this run. Every build runs as in production,"
        " `--exclude-resource-type unit_test` (the unit tests run in CI).",
        "",
        f"The day delivered ({day.name}): {sum(1 for p in day.rglob('*') if p.is_file())} files.",
        "",
        "| step | wall s | peak MiB | peak spill MiB |",
        "|---|---:|---:|---:|",
        f"| history: first build of {days - 1} days (once) | {first.seconds:.1f} | {first.peak_mib:.0f} |"
        f" {first.peak_spill_mib:.0f} |",
        f"| daily build: `dbt build` after the day's files | {da.seconds:.1f} | {da.peak_mib:.0f} |"
        f" {da.peak_spill_mib:.0f} |",
        f"| `dbt build` with nothing new | {un.seconds:.1f} | {un.peak_mib:.0f} | {un.peak_spill_mib:.0f} |",
        f"| `dbt parse` (dbt's own start-up) | {pa.seconds:.1f} | {pa.peak_mib:.0f} | |",
        f"| dbt's fixed cost: `dbt build` with nothing new, {nodes} nodes on 100 persons | {fx.seconds:.1f} |"
        f" {fx.peak_mib:.0f} | |",
        f"| full build: `dbt build --full-refresh`, all {days} days | {fu.seconds:.1f} | {fu.peak_mib:.0f} |"
        f" {fu.peak_spill_mib:.0f} |",
        "",
        f"daily / full: {100 * da.seconds / fu.seconds:.1f}% of the time,"
        f" {100 * da.peak_mib / fu.peak_mib:.0f}% of the peak memory",
        "",
        f"dbt's fixed cost / full: {100 * fx.seconds / fu.seconds:.1f}% (what any build of this project"
        " costs before it reads data); with nothing new / full:"
        f" {100 * un.seconds / fu.seconds:.1f}%",
        "",
        budget_line(da.peak_mib, budget),
        "",
        f"files after the last full build: served {database.stat().st_size / 2**20:,.1f} MiB"
        " (JOURNEY_DUCKDB_PATH: the marts, the reference tables and the history),"
        f" next {next_path(database).stat().st_size / 2**20:,.1f} MiB (the same relations, where dbt"
        f" builds them; the publish copies it), build {build_path(database).stat().st_size / 2**20:,.1f} MiB"
        " (staging, intermediate); after the last daily build the next (and served) file was"
        f" {daily_next / 2**20:,.1f} MiB",
        "",
        "Where the last daily build's time went (dbt's run_results.json):",
        "",
        *node_times(workdir / "daily_run_results.json", slowest=30),
        "",
        "And the last build's with nothing new:",
        "",
        *node_times(workdir / "unchanged_run_results.json", slowest=15),
        "",
        "Where each build's memory went (the dbt process's resident set, sampled once a second,"
        " while each node ran; the last run):",
        "",
        "daily build:",
        "",
        *node_memory(workdir / "daily_run_results.json", daily[-1].rss_samples, largest=8),
        "",
        "with nothing new:",
        "",
        *node_memory(workdir / "unchanged_run_results.json", unchanged[-1].rss_samples, largest=8),
        "",
        "full build:",
        "",
        *node_memory(workdir / "target" / "run_results.json", fulls[-1].rss_samples, largest=8),
    ]
    write_report(lines, report)
    return 0
