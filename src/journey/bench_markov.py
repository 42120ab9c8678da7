"""`journey bench markov`: exact Markov removal effects against ChannelAttribution's simulation.

The paths are ChannelAttribution's own example, PathData (`Data.csv` in its
source distribution: 10,000 distinct paths with conversion and null counts),
repeated to `--paths` rows. The project's way: DuckDB counts the chain's moves
(as int_attribution__transitions does; here from the path strings, counted
once per distinct path as int_attribution__paths holds them, runs of a
channel collapsed) and the dbt model's `removal_effects` solves the chain
exactly. ChannelAttribution 2.2.5's `markov_model` estimates the same effects
by simulating walks; it runs in the Python given by `--channelattribution-python`
(a source build from PyPI, so it lives in its own environment). Each side runs
in its own process, the data loaded first; medians of `--repeat` runs.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import duckdb

from journey.bench import write_report
from journey.simulate.config import project_root

MOVES_SQL = """
with rows as (
    select path, total_conversions, total_null
    from read_csv('{csv}', delim = ';', header = true), range({copies})
),
paths as (
    -- like int_attribution__paths: one row per distinct path, its journeys counted
    select row_number() over () as path_number, sum(total_conversions) as total_conversions,
        sum(total_null) as total_null, string_split(path, ' > ') as channels
    from rows group by path
),
steps as (
    select path_number, total_conversions, total_null,
        unnest(channels) as channel, generate_subscripts(channels, 1) as position
    from paths
),
runs as (
    select *, lag(channel) over (partition by path_number order by position) as previous
    from steps
),
kept as (
    select *, row_number() over (partition by path_number order by position) as run_number,
        count(*) over (partition by path_number) as runs
    from runs where previous is null or previous <> channel
),
moves as (
    select coalesce(lag(channel) over (partition by path_number order by run_number), '(start)')
        as from_state, channel as to_state, total_conversions + total_null as journeys
    from kept
    union all
    select channel, '(conversion)', total_conversions from kept where run_number = runs
    union all
    select channel, '(null)', total_null from kept where run_number = runs
)
select from_state, to_state, sum(journeys) as journeys from moves
where journeys > 0 group by all
"""

CHANNELATTRIBUTION = """
import json, sys, time
import pandas as pd
import ChannelAttribution as ca
data = pd.read_csv(sys.argv[1], sep=";")
data = pd.concat([data] * int(sys.argv[2]), ignore_index=True)
start = time.perf_counter()
out = ca.markov_model(data, "path", "total_conversions", var_null="total_null",
                      out_more=True, verbose=False, flg_pro=False)
seconds = time.perf_counter() - start
effects = out["removal_effects"]
print(json.dumps({"seconds": seconds, "effects": dict(zip(effects["channel_name"],
      effects["removal_effect"]))}))
"""


def _credits_model() -> ModuleType:
    path = project_root() / "models" / "intermediate" / "attribution" / "int_attribution__path_credits.py"
    spec = importlib.util.spec_from_file_location("int_attribution__path_credits", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exact_effects(csv: Path, copies: int, threads: int = 2) -> tuple[float, dict[str, float]]:
    """Seconds and removal effects the project's way: moves counted by DuckDB, the
    chain solved by the dbt model's own function."""
    model = _credits_model()
    con = duckdb.connect()
    con.execute(f"set threads = {threads}")
    start = time.perf_counter()
    rows = con.execute(MOVES_SQL.format(csv=csv, copies=copies)).fetchall()
    effects = model.removal_effects({(a, b): int(n) for a, b, n in rows})
    return time.perf_counter() - start, effects


def run_markov_bench(
    path_data: Path,
    paths: int,
    repeat: int,
    channelattribution_python: str | None,
    report: Path | None = None,
) -> int:
    with path_data.open() as f:
        distinct = sum(1 for _ in f) - 1
    copies = max(paths // distinct, 1)
    ours = [exact_effects(path_data, copies) for _ in range(repeat)]
    ours_seconds = statistics.median(s for s, _ in ours)
    effects = ours[0][1]
    lines = [
        f"# Markov removal effects: {distinct * copies:,} paths (PathData x {copies})",
        "",
        f"Written by `journey bench markov --paths {paths} --repeat {repeat}` on"
        f" {time.strftime('%Y-%m-%d')}; medians of {repeat} runs, each side timed in its own"
        " process after loading the paths; 2 DuckDB threads, ChannelAttribution on one core"
        " (its default).",
        "",
        "| method | median s |",
        "|---|---:|",
        f"| exact (DuckDB moves + linear solve) | {ours_seconds:.2f} |",
    ]
    if channelattribution_python:
        theirs = []
        for _ in range(repeat):
            done = subprocess.run(
                [channelattribution_python, "-c", CHANNELATTRIBUTION, str(path_data), str(copies)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            theirs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        their_seconds = statistics.median(t["seconds"] for t in theirs)
        lines.append(f"| ChannelAttribution 2.2.5 markov_model (simulated walks) | {their_seconds:.2f} |")
        lines += ["", f"ChannelAttribution / exact: {their_seconds / ours_seconds:.1f}x", ""]
        simulated = theirs[0]["effects"]
        lines += ["| channel | exact | simulated | difference |", "|---|---:|---:|---:|"]
        lines += [
            f"| {c} | {effects[c]:.4f} | {simulated[c]:.4f} | {simulated[c] - effects[c]:+.4f} |"
            for c in sorted(effects)
        ]
        worst = max(abs(simulated[c] - effects[c]) for c in effects)
        lines += ["", f"largest difference: {worst:.4f}"]
    write_report(lines, report)
    return 0


if __name__ == "__main__":
    sys.exit(run_markov_bench(Path(sys.argv[1]), int(sys.argv[2]), 1, None))
