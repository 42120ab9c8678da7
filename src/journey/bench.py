"""`journey bench`: simulate, build, and compare the build with reading the raw files once.

Each step runs in its own process, so that its wall time and peak memory
(the process's maximum resident set) are measured alone. Steps are repeated
and medians reported; ratios compare numbers measured in the same run.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import duckdb

from journey.serving import (
    DEFAULT_MEMORY,
    MEMORY_ENV,
    RESERVE_ENV,
    buffer_pool_bytes,
    build_path,
    connect_build,
    size_bytes,
    working_paths,
)
from journey.simulate.config import project_root

EVENT_LINES = (
    "read_csv('{root}/{src}/*/*.jsonl.gz', columns = {{'line': 'VARCHAR'}}, header = false, "
    "delim = chr(1), quote = '', escape = '', auto_detect = false)"
)
CSV_FOLDERS = (
    "crm/contacts", "crm/email_events", "pos/stores", "pos/transactions",
    "pos/transaction_lines", "ads/spend", "surveys",
)  # fmt: skip



def read_floor(root: Path, threads: str) -> int:
    """Read every landing file once, decompressing and JSON-parsing each event:
    the least work any build must do. Returns the rows read. The CSV dialect
    is stated, not sniffed: a sniffer reading the first rows of the first file
    misses the quotes of a later one."""
    con = duckdb.connect()
    con.execute(f"set threads = {int(threads)}")
    total = 0
    for src in ("web", "app"):
        rel = EVENT_LINES.format(root=root, src=src)
        total += con.execute(
            "select count(case when json_valid(line) "
            f"then json_extract_string(line, '$.messageId') end) from {rel}"
        ).fetchone()[0]
    for folder in CSV_FOLDERS:
        total += con.execute(
            f"select count(*) from read_csv('{root}/{folder}/*.csv', all_varchar = true, "
            "header = true, delim = ',', quote = '\"', escape = '\"', union_by_name = true)"
        ).fetchone()[0]
    return total


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mib: float
    peak_spill_mib: float = 0.0  # largest size of the watched spill folder
    # (epoch seconds, resident MiB) of the step's process, once a second
    rss_samples: tuple[tuple[float, float], ...] = ()


def resident_mib(pid: int) -> float | None:
    """A process's resident set now (Linux /proc), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def folder_mib(folder: Path) -> float:
    """Size of the files under folder (0 when it does not exist)."""
    total = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.stat(os.path.join(dirpath, name)).st_size
            except FileNotFoundError:
                pass  # a spill file removed while we looked
    return total / 2**20


class StepFailed(RuntimeError):
    """A benchmarked step exited with an error; the message holds its own report."""


def failure_report(output: str, limit: int = 6000) -> str:
    """What a failed step said: dbt's summary of its errors ("Completed with N
    errors" onwards) when there is one, else the end of its output."""
    marker = output.rfind("Completed with ")
    text = output[marker:] if marker >= 0 else output
    return text[-limit:].strip() or "(no output)"


def run_step(argv: list[str], env: dict[str, str], log: Path, spill: Path | None = None) -> Measure:
    """Run one step in its own process, its output in `log` (a pipe could fill
    and stall the step), and measure its wall time and peak memory; with
    `spill`, the largest size that folder reached (looked at once a second)."""
    start = time.perf_counter()
    peak_spill = 0.0
    samples: list[tuple[float, float]] = []
    with log.open("w") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        while spill is not None:
            found, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if found:
                break
            peak_spill = max(peak_spill, folder_mib(spill))
            rss = resident_mib(proc.pid)
            if rss is not None:
                samples.append((time.time(), rss))
            time.sleep(1)
        else:
            _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise StepFailed(
            f"{' '.join(Path(a).name for a in argv[:2])} failed (whole output in {log}):\n"
            + failure_report(log.read_text(errors="replace"))
        )
    return Measure(seconds, usage.ru_maxrss / 1024, peak_spill, tuple(samples))


def write_report(lines: list[str], report: Path | None) -> None:
    """Print a benchmark's Markdown report and write it to `report` too."""
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text)
        print(f"\nwritten to {report}")


def _node_results(run_results: Path) -> list[dict]:
    return json.loads(run_results.read_text())["results"]


def node_times(run_results: Path, slowest: int = 10) -> list[str]:
    """Report lines on where a build's time went, from dbt's run_results.json: node
    seconds per kind (models, data tests, unit tests...; with JOURNEY_DBT_THREADS
    above 1 nodes overlap and add up to more than the wall time) and the slowest
    nodes."""
    results = _node_results(run_results)
    kinds: dict[str, list[float]] = {}
    for result in results:
        kinds.setdefault(result["unique_id"].split(".")[0], []).append(result["execution_time"])
    lines = ["| node kind | nodes | node s |", "|---|---:|---:|"]
    lines += [f"| {kind} | {len(times)} | {sum(times):.1f} |" for kind, times in sorted(kinds.items())]
    lines += ["", "| slowest nodes | s |", "|---|---:|"]
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:slowest]
    lines += [f"| {r['unique_id'].split('.', 2)[-1]} | {r['execution_time']:.1f} |" for r in ranked]
    return lines


# the models that stage the web and app events (base_* tables and stg_* views)
EVENT_STAGING_PREFIXES = ("base_web__", "base_app__", "stg_web__", "stg_app__")


def event_staging_line(run_results: Path, floor_seconds: float) -> str:
    """Node seconds of the models that stage the web and app events (the
    bulk of the raw rows), against the floor: issue #12's "event staging"."""
    seconds = sum(
        r["execution_time"]
        for r in _node_results(run_results)
        if r["unique_id"].startswith("model.")
        and r["unique_id"].split(".")[-1].startswith(EVENT_STAGING_PREFIXES)
    )
    return (
        f"event staging (the web and app staging models): {seconds:.1f} node s,"
        f" {seconds / floor_seconds:.1f}x the floor"
    )


def _epoch(stamp: str) -> float:
    """dbt's run_results time stamp (UTC, ISO 8601, trailing Z) as epoch seconds."""
    return datetime.fromisoformat(stamp.rstrip("Z")).replace(tzinfo=timezone.utc).timestamp()


def node_memory(
    run_results: Path, samples: tuple[tuple[float, float], ...], largest: int = 10
) -> list[str]:
    """Report lines on where the build's memory went: for each node, the
    largest resident set of the dbt process sampled while the node executed
    (when nodes overlap, a sample counts for each), largest first."""
    results = _node_results(run_results)
    peaks: dict[str, float] = {}
    for result in results:
        spans = [t for t in result.get("timing", []) if t.get("name") == "execute"]
        if not spans or not spans[0].get("started_at") or not spans[0].get("completed_at"):
            continue
        begin, end = _epoch(spans[0]["started_at"]), _epoch(spans[0]["completed_at"])
        during = [mib for at, mib in samples if begin <= at <= end]
        if during:
            peaks[result["unique_id"].split(".", 2)[-1]] = max(during)
    lines = ["| largest resident set while a node ran | MiB |", "|---|---:|"]
    ranked = sorted(peaks.items(), key=lambda item: item[1], reverse=True)[:largest]
    return lines + [f"| {name} | {mib:.0f} |" for name, mib in ranked]


def median_step(values: list[Measure]) -> Measure:
    """The median of each measure over the runs of one step."""
    return Measure(
        statistics.median(m.seconds for m in values),
        statistics.median(m.peak_mib for m in values),
        statistics.median(m.peak_spill_mib for m in values),
    )


def machine_line() -> str:
    """The machine a report was measured on: cores, memory, Python, DuckDB."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return (
        f"{os.cpu_count()} cores, {pages / 2**30:.0f} GiB, Python {sys.version.split()[0]}, "
        f"DuckDB {duckdb.__version__}"
    )


def commit_name(root: Path) -> str:
    """The commit a report was measured at (`git describe`, `-dirty` when the tree is)."""
    found = subprocess.run(
        ["git", "-C", str(root), "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


def run_bench(
    persons: int,
    days: int,
    seed: int,
    workdir: Path,
    repeat: int,
    report: Path | None = None,
    landing: Path | None = None,
) -> int:
    """Measure and print the report; write it to `report` too (Markdown).
    With `landing`, build that zone (a simulated one kept from an earlier
    run, or a user's own exports) instead of simulating one."""
    workdir = workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    bin_dir = Path(sys.executable).parent
    root = project_root()
    threads = os.environ.get("JOURNEY_THREADS", "2")
    env = {
        **os.environ,
        "JOURNEY_LANDING_PATH": str(landing.resolve() if landing else workdir / "data" / "landing"),
        "JOURNEY_DUCKDB_PATH": str(workdir / "bench.duckdb"),
        "DBT_PROFILES_DIR": str(root),
        "DO_NOT_TRACK": "1",
    }
    # the profile's defaults, stated so that the report names what the build used
    env["JOURNEY_DBT_THREADS"] = env.get("JOURNEY_DBT_THREADS") or "1"
    dbt_threads = env["JOURNEY_DBT_THREADS"]
    simulate = [
        str(bin_dir / "journey"), "simulate", "--persons", str(persons), "--days", str(days),
        "--seed", str(seed), "--out", str(workdir / "data"), "--quiet",
    ]  # fmt: skip
    floor = [sys.executable, "-m", "journey.bench", env["JOURNEY_LANDING_PATH"], threads]
    build = [
        str(bin_dir / "dbt"), "build", "--project-dir", str(root), "--profiles-dir", str(root),
        "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"),
    ]  # fmt: skip

    # DuckDB spills to <database>.tmp beside the database dbt builds
    spill_folder = Path(str(build_path(Path(env["JOURNEY_DUCKDB_PATH"]))) + ".tmp")
    budget = env.get(MEMORY_ENV) or DEFAULT_MEMORY
    pool = buffer_pool_bytes(budget, env.get(RESERVE_ENV, ""))
    sims, floors, builds = [], [], []
    for i in range(repeat):
        if landing is None:
            print(f"run {i + 1}/{repeat}: simulate", flush=True)
            sims.append(run_step(simulate, env, workdir / "simulate.log", workdir / "data" / ".simulate.tmp"))
        print(f"run {i + 1}/{repeat}: read floor", flush=True)
        floors.append(run_step(floor, env, workdir / "floor.log"))
        for stale in (Path(env["JOURNEY_DUCKDB_PATH"]), *working_paths(env["JOURNEY_DUCKDB_PATH"])):
            stale.unlink(missing_ok=True)  # each build starts from nothing
        print(f"run {i + 1}/{repeat}: dbt build", flush=True)
        builds.append(run_step(build, env, workdir / "build.log", spill_folder))

    fl, bu = median_step(floors), median_step(builds)
    sim = median_step(sims) if sims else None
    simulated = (
        f"| simulate | {sim.seconds:.1f} | {sim.peak_mib:.0f} | {sim.peak_spill_mib:.0f} |"
        if sim else f"| simulate | not run: the zone in {landing} | | |"
    )
    con = connect_build(env["JOURNEY_DUCKDB_PATH"])
    raw_rows = con.execute("select sum(rows_in_files) from marts.rpt_row_accounting").fetchone()[0]
    models = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts') order by 1"
    ).fetchall()
    lines = [
        f"# Benchmark: {persons:,} persons x {days} days",
        "",
        f"Written by `journey bench --persons {persons} --days {days} --seed {seed} --repeat {repeat}"
        + (f" --landing {landing}`" if landing else "`")
        + f" on {time.strftime('%Y-%m-%d')}; version {version('customer-journey-warehouse')}"
        f" (commit {commit_name(root)}); {machine_line()}; dbt threads {dbt_threads}, DuckDB threads {threads}, memory budget"
        f" {budget} ({MEMORY_ENV}), of which DuckDB's memory_limit {pool / 2**20:,.0f} MiB."
        f" Medians of {repeat} runs,"
        " each step in its own process; the ratio compares medians of the same run.",
        "",
        f"raw landing rows: {raw_rows:,} ({folder_mib(Path(env['JOURNEY_LANDING_PATH'])):,.0f} MiB of files)",
        "",
        "| step | wall s | peak MiB | peak spill MiB |",
        "|---|---:|---:|---:|",
        simulated,
        f"| read raw landing zone once (floor) | {fl.seconds:.1f} | {fl.peak_mib:.0f} | |",
        f"| dbt build | {bu.seconds:.1f} | {bu.peak_mib:.0f} | {bu.peak_spill_mib:.0f} |",
        "",
        f"build / floor: {bu.seconds / fl.seconds:.1f}x",
        "",
        event_staging_line(workdir / "target" / "run_results.json", fl.seconds),
        "",
        budget_line(bu.peak_mib, budget),
        "",
        "Where the last build's time went (dbt's run_results.json):",
        "",
        *node_times(workdir / "target" / "run_results.json"),
        "",
        "Where the last build's memory went (its process sampled once a second;"
        " the peak above is the exact maximum):",
        "",
        *node_memory(workdir / "target" / "run_results.json", builds[-1].rss_samples),
        "",
        "| model | rows |",
        "|---|---:|",
    ]
    for (name,) in models:
        rows = con.execute(f"select count(*) from {name}").fetchone()[0]
        lines.append(f"| {name} | {rows:,} |")
    con.close()
    print()
    write_report(lines, report)
    return 0


def budget_line(peak_mib: float, budget: str) -> str:
    """Whether the build's peak resident memory stayed within its budget."""
    limit = size_bytes(budget) / 2**20
    verdict = "within" if peak_mib <= limit else "over"
    return f"peak memory {peak_mib:,.0f} MiB: {verdict} the budget of {limit:,.0f} MiB ({MEMORY_ENV}={budget})"


if __name__ == "__main__":
    print(read_floor(Path(sys.argv[1]), sys.argv[2]))
