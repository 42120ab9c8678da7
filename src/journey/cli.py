"""`journey`: simulate a landing zone, benchmark the whole build, build the
dashboards, take the README's screenshots."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from journey.simulate import SimConfig, simulate
from journey.simulate.config import project_root
from journey.simulate.run import DEFAULT_CHUNK_PERSONS


def _simulate(args: argparse.Namespace) -> int:
    cfg = SimConfig(
        persons=args.persons, days=args.days, seed=args.seed, start=args.start, layout=args.layout
    )
    summary = simulate(cfg, Path(args.out), progress=not args.quiet, chunk_persons=args.chunk_persons)
    print(
        f"{summary.persons} persons, {summary.sessions} visits, {summary.events} events, "
        f"{summary.store_transactions} store transactions, {summary.contacts} contacts, "
        f"{summary.email_events} email events -> {Path(args.out) / 'landing'} "
        f"(truth in {Path(args.out) / 'truth'})"
    )
    return 0


def _report_path(args: argparse.Namespace, name: str) -> Path:
    """--report, or the benchmark's file of that name in docs/benchmarks/."""
    return Path(args.report) if args.report else project_root() / "docs" / "benchmarks" / name


def _bench(args: argparse.Namespace) -> int:
    if args.what == "identity":
        from journey.bench_identity import run_identity_bench

        report = _report_path(args, f"identity-{args.edges}.md")
        return run_identity_bench(
            args.edges, args.seed, Path(args.workdir), args.repeat, args.networkx_max_edges, report
        )
    if args.what == "markov":
        from journey.bench_markov import run_markov_bench

        if not args.path_data:
            print("journey bench markov needs --path-data (ChannelAttribution's Data.csv)", file=sys.stderr)
            return 2
        report = _report_path(args, f"markov-{args.paths}.md")
        return run_markov_bench(
            Path(args.path_data), args.paths, args.repeat, args.channelattribution_python, report
        )
    from journey.bench import StepFailed, run_bench

    if args.what == "incremental":
        from journey.bench_incremental import run_incremental_bench

        report = _report_path(args, f"daily-{args.persons}x{args.days}.md")
        try:
            landing = Path(args.landing) if args.landing else None
            return run_incremental_bench(
                args.persons, args.days, args.seed, args.start, Path(args.workdir), args.repeat, report, landing
            )
        except StepFailed as failed:
            print(failed, file=sys.stderr)
            return 1

    if args.target == "spark":
        from journey.bench_spark import run_spark_bench

        report = _report_path(args, f"spark-{args.persons}x{args.days}.md")
        try:
            landing = Path(args.landing) if args.landing else None
            return run_spark_bench(
                args.persons, args.days, args.seed, Path(args.workdir), args.repeat, report, landing
            )
        except StepFailed as failed:
            print(failed, file=sys.stderr)
            return 1

    report = _report_path(args, f"build-{args.persons}x{args.days}.md")
    try:
        landing = Path(args.landing) if args.landing else None
        return run_bench(
            args.persons, args.days, args.seed, Path(args.workdir), args.repeat, report, landing
        )
    except (StepFailed, ValueError) as failed:  # ValueError: a memory budget it cannot use
        print(failed, file=sys.stderr)
        return 1


# The dashboard pages the README shows, with the height that fits each one.
DASHBOARD_SHOTS = {"funnel": 1900, "channels": 2150, "lifecycle": 2250, "identity": 2350}


def _screenshots(args: argparse.Namespace) -> int:
    from journey.browser import docs_url, screenshot, serve

    index = Path(args.target) / "static_index.html"
    site = Path(args.dashboards)
    for needed, how in ((index, "dbt docs generate --static"), (site / "index.html", "make dashboards")):
        if not needed.exists():
            print(f"{needed} is missing: run `{how}` first", file=sys.stderr)
            return 2
    out = Path(args.out)
    pages = {
        # from the landing files (sources) to a dashboard page (its exposure)
        "dbt_docs_lineage.png": (
            "exposure/exposure.customer_journey.dashboard_channel_performance"
            "?g_v=1&g_i=%2Bexposure:dashboard_channel_performance"
        ),
        "dbt_docs_model.png": "model/model.customer_journey.fct_journeys",
    }
    for name, fragment in pages.items():
        print(screenshot(docs_url(index, fragment), out / name))
    with serve(site) as base:
        for page, height in DASHBOARD_SHOTS.items():
            print(screenshot(f"{base}/{page}", out / f"dashboard_{page}.png", size=(1400, height)))
    return 0


def _dashboards(args: argparse.Namespace) -> int:
    from journey.dashboards import build

    try:
        site = build(Path(args.warehouse), strict=not args.lenient)
    except (FileNotFoundError, RuntimeError) as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"dashboards built from {args.warehouse} -> {site}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="journey",
        description=(
            "Customer Journey Warehouse tools. `journey simulate` writes a landing zone "
            "in the shape of CONTRACT.md plus the truth the tests check against; "
            "`journey bench` times simulate + dbt build against the cost of reading "
            "the raw files once."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="write a simulated landing zone and its truth")
    sim.add_argument("--persons", type=int, default=20_000, help="people to simulate")
    sim.add_argument("--days", type=int, default=90, help="length of the window in days")
    sim.add_argument("--seed", type=int, default=42, help="random seed (same seed, same files)")
    sim.add_argument(
        "--start", type=date.fromisoformat, default=date(2026, 1, 1), help="first day (ISO)"
    )
    sim.add_argument(
        "--layout", choices=("contract", "segment", "rudderstack"), default="contract",
        help="web/ and app/ as date= partitions, or as Segment's or RudderStack's bucket",
    )
    sim.add_argument("--out", default="data", help="writes OUT/landing and OUT/truth")
    sim.add_argument(
        "--chunk-persons", type=int, default=DEFAULT_CHUNK_PERSONS,
        help="persons generated and written at once: memory grows with it, the files do not change",
    )
    sim.add_argument("--quiet", action="store_true", help="no progress bar")
    sim.set_defaults(func=_simulate)

    bench = sub.add_parser(
        "bench",
        help="time and memory: the whole build (default) or the identity graph alone",
        description=(
            "`journey bench [build] --persons N`: simulate, build, compare with reading the "
            "raw files once; with --target spark, the same build on DuckDB and on Spark, "
            "their ratio. `journey bench incremental --persons N`: the daily build of the "
            "last day's files on the history of the days before, against a full build. "
            "`journey bench identity --edges N`: connected components of "
            "one edge list in SQL (the project's macro), scipy and networkx. `journey bench "
            "markov --paths N --path-data Data.csv`: exact Markov removal effects against "
            "ChannelAttribution's simulation on its PathData."
        ),
    )
    bench.add_argument(
        "what", nargs="?", choices=["build", "incremental", "identity", "markov"], default="build"
    )
    bench.add_argument("--persons", type=int, default=20_000, help="build: scale of the data set")
    bench.add_argument(
        "--target", choices=["duckdb", "spark"], default="duckdb",
        help="build: spark builds the zone on DuckDB and on Spark and compares them",
    )
    bench.add_argument("--edges", type=int, default=1_000_000, help="identity: edges in the graph")
    bench.add_argument(
        "--networkx-max-edges", type=int, default=2_000_000,
        help="identity: skip networkx above this many edges (it needs minutes and GBs)",
    )
    bench.add_argument("--paths", type=int, default=1_000_000, help="markov: paths (PathData repeated)")
    bench.add_argument(
        "--path-data", help="markov: ChannelAttribution's PathData (src/cypack/data/Data.csv of its sdist)"
    )
    bench.add_argument(
        "--channelattribution-python",
        help="markov: a Python with ChannelAttribution==2.2.5 installed (omit to time the exact side only)",
    )
    bench.add_argument("--days", type=int, default=90)
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument(
        "--start", type=date.fromisoformat, default=date(2026, 1, 1),
        help="incremental: the zone's first day (its last day is start + days - 1)",
    )
    bench.add_argument("--repeat", type=int, default=3, help="runs; medians are reported")
    bench.add_argument("--workdir", default="bench", help="scratch folder")
    bench.add_argument(
        "--landing",
        help="build: this landing zone instead of simulating one (a kept simulated zone, your own exports)",
    )
    bench.add_argument(
        "--report",
        help="the Markdown report to write (default docs/benchmarks/build-<persons>x<days>.md,"
        " spark-<persons>x<days>.md,"
        " daily-<persons>x<days>.md, identity-<edges>.md or markov-<paths>.md)",
    )
    bench.set_defaults(func=_bench)

    dash = sub.add_parser(
        "dashboards",
        help="build the Evidence dashboards over a warehouse file (read-only)",
        description=(
            "Runs `npm run sources` (extracts each query of dashboards/sources from the "
            "warehouse, opened read-only) and `npm run build:strict` in dashboards/, with "
            "telemetry off. Needs `make dashboards-setup` (npm install) first."
        ),
    )
    dash.add_argument(
        "--warehouse", default=os.environ.get("JOURNEY_DUCKDB_PATH", "warehouse.duckdb"),
        help="the DuckDB file dbt built (default: $JOURNEY_DUCKDB_PATH)",
    )
    dash.add_argument("--lenient", action="store_true", help="`build`, not `build:strict`")
    dash.set_defaults(func=_dashboards)

    shots = sub.add_parser(
        "screenshots", help="screenshots of the dbt docs site and the dashboards (headless Chromium)"
    )
    shots.add_argument("--target", default="target", help="dbt target folder with static_index.html")
    shots.add_argument("--dashboards", default="dashboards/build", help="the built Evidence site")
    shots.add_argument("--out", default="docs/img", help="folder for the PNG files")
    shots.set_defaults(func=_screenshots)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
