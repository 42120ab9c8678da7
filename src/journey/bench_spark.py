"""`journey bench --target spark`: the same build on DuckDB and on Spark.

One zone (simulated once, or --landing) is built from nothing by `dbt build`
on the duckdb target and on the spark target (dbt-spark's session method,
the profile's master, local[*] by default), one engine after the other in
each run, each build in its own process. Wall times and the peak resident
memory of the build's process tree (dbt, and the JVM that Spark's driver
runs in), sampled once a second, are reported as medians; the ratio
compares the medians of the same run. The marts' row counts are compared
between the engines of the last run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import duckdb

from journey.bench import StepFailed, commit_name, failure_report, folder_mib, machine_line, node_times, write_report
from journey.serving import connect_build, working_paths
from journey.simulate.config import project_root


def tree_mib(pid: int) -> float:
    """The resident memory of a process and every process below it, now."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def timed_build(argv: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """One build in its own process, its output in `log`: wall seconds and
    the peak of its process tree's resident memory (MiB)."""
    start = time.perf_counter()
    peak = 0.0
    with log.open("w") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            peak = max(peak, tree_mib(proc.pid))
            time.sleep(1)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise StepFailed(f"dbt build failed (whole output in {log}):\n" + failure_report(log.read_text(errors="replace")))
    return seconds, peak


def mart_rows(duck_path: Path, spark_warehouse: Path) -> list[tuple[str, int, int | None]]:
    """Each mart's rows on DuckDB and on Spark (its managed Parquet table;
    None for a relation Spark holds as a view)."""
    con = connect_build(duck_path)
    names = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()]  # fmt: skip
    rows = []
    for name in names:
        duck = con.execute(f"select count(*) from marts.{name}").fetchone()
        folder = spark_warehouse / "marts.db" / name
        spark = (
            duckdb.connect().execute(f"select count(*) from read_parquet('{folder}/*.parquet')").fetchone()
            if any(folder.glob("*.parquet")) else None
        )  # fmt: skip
        rows.append((name, duck[0] if duck else 0, spark[0] if spark else None))
    con.close()
    return rows


def run_spark_bench(
    persons: int, days: int, seed: int, workdir: Path, repeat: int, report: Path | None = None,
    landing: Path | None = None,
) -> int:  # fmt: skip
    """Measure and print the report; write it to `report` too (Markdown)."""
    workdir = workdir.resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    bin_dir = Path(sys.executable).parent
    root = project_root()
    zone = landing.resolve() if landing else workdir / "data" / "landing"
    env = {
        **os.environ,
        "JOURNEY_LANDING_PATH": str(zone),
        "JOURNEY_DUCKDB_PATH": str(workdir / "bench.duckdb"),
        "JOURNEY_SPARK_WAREHOUSE": str(workdir / "spark-warehouse"),
        "DBT_PROFILES_DIR": str(root),
        "DO_NOT_TRACK": "1",
    }
    # the profile's defaults, stated so that the report names what the builds used
    env["JOURNEY_DBT_THREADS"] = env.get("JOURNEY_DBT_THREADS") or "1"
    settings = {
        "JOURNEY_SPARK_MASTER": "local[*]", "JOURNEY_SPARK_SHUFFLE_PARTITIONS": "4",
        "JOURNEY_SPARK_DRIVER_MEMORY": "4g", "JOURNEY_THREADS": "2",
    }  # fmt: skip
    for name, default in settings.items():
        env[name] = env.get(name) or default
    if landing is None:
        print("simulate", flush=True)
        subprocess.run(
            [str(bin_dir / "journey"), "simulate", "--persons", str(persons), "--days", str(days),
             "--seed", str(seed), "--out", str(workdir / "data"), "--quiet"],
            check=True,
        )  # fmt: skip
    times: dict[str, list[float]] = {"duckdb": [], "spark": []}
    peaks: dict[str, list[float]] = {"duckdb": [], "spark": []}
    for i in range(repeat):
        for target in ("duckdb", "spark"):
            # each build starts from nothing; the last of each stays for the marts' comparison
            if target == "duckdb":
                for stale in (Path(env["JOURNEY_DUCKDB_PATH"]), *working_paths(env["JOURNEY_DUCKDB_PATH"])):
                    stale.unlink(missing_ok=True)
            else:
                shutil.rmtree(env["JOURNEY_SPARK_WAREHOUSE"], ignore_errors=True)
            print(f"run {i + 1}/{repeat}: dbt build on {target}", flush=True)
            seconds, peak = timed_build(
                [str(bin_dir / "dbt"), "build", "--target", target, "--project-dir", str(root),
                 "--profiles-dir", str(root), "--target-path", str(workdir / f"target-{target}"),
                 "--log-path", str(workdir / f"logs-{target}")],
                env, workdir / f"build-{target}.log",
            )  # fmt: skip
            times[target].append(seconds)
            peaks[target].append(peak)
    duck_s, spark_s = statistics.median(times["duckdb"]), statistics.median(times["spark"])
    marts = mart_rows(Path(env["JOURNEY_DUCKDB_PATH"]), Path(env["JOURNEY_SPARK_WAREHOUSE"]))
    same = all(duck == spark for _, duck, spark in marts)
    lines = [
        f"# Benchmark: DuckDB and Spark, {persons:,} persons x {days} days",
        "",
        f"Written by `journey bench --target spark --persons {persons} --days {days} --seed {seed}"
        f" --repeat {repeat}" + (f" --landing {landing}`" if landing else "`")
        + f" on {time.strftime('%Y-%m-%d')}; version {version('customer-journey-warehouse')}"
        f" (commit {commit_name(root)}); {machine_line()}; pyspark {version('pyspark')},"
        f" dbt-spark {version('dbt-spark')}. Spark: master {env['JOURNEY_SPARK_MASTER']},"
        f" {env['JOURNEY_SPARK_SHUFFLE_PARTITIONS']} shuffle partitions, driver memory"
        f" {env['JOURNEY_SPARK_DRIVER_MEMORY']}; DuckDB threads {env['JOURNEY_THREADS']}; dbt threads"
        f" {env['JOURNEY_DBT_THREADS']} on both. Each `dbt build` (every model, seed, snapshot and"
        f" test) starts from nothing, in its own process; medians of {repeat} run(s), the ratio"
        " compares medians of the same run.",
        "",
        f"landing zone: {folder_mib(zone):,.0f} MiB of files",
        "",
        "| engine | dbt build wall s | peak MiB (dbt and the JVM, sampled each second) |",
        "|---|---:|---:|",
        f"| DuckDB | {duck_s:.1f} | {statistics.median(peaks['duckdb']):,.0f} |",
        f"| Spark (local) | {spark_s:.1f} | {statistics.median(peaks['spark']):,.0f} |",
        "",
        f"Spark / DuckDB: {spark_s / duck_s:.1f}x",
        "",
        "Marts, rows on each engine (the last run): "
        + ("the same in every mart." if same else "**they differ**."),
        "",
        "| mart | DuckDB rows | Spark rows |",
        "|---|---:|---:|",
        *(f"| {name} | {duck:,} | {'view' if spark is None else f'{spark:,}'} |" for name, duck, spark in marts),
    ]
    for target in ("duckdb", "spark"):
        lines += ["", f"Where the last {target} build's time went (dbt's run_results.json):", ""]
        lines += node_times(workdir / f"target-{target}" / "run_results.json")
    print()
    write_report(lines, report)
    return 0 if same else 1
