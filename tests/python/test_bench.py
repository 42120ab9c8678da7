"""`journey bench` says why a step failed, in the words of the step itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from journey.bench import failure_report, folder_mib, run_step
from journey.serving import build_path


def test_a_failed_build_prints_dbts_own_error(tmp_path: Path) -> None:
    """A build that runs out of DuckDB's memory_limit (a 2 MB pool: the budget less
    the reserve) fails; the bench prints DuckDB's message as dbt reported it, names
    the log holding the whole output, exits 1 and writes no report."""
    report = tmp_path / "report.md"
    env = {**os.environ, "JOURNEY_MEMORY_LIMIT": "2GB", "JOURNEY_MEMORY_RESERVE": "1998MB",
           "DO_NOT_TRACK": "1"}  # fmt: skip
    done = subprocess.run(
        [str(Path(sys.executable).parent / "journey"), "bench", "--persons", "60", "--days", "14",
         "--repeat", "1", "--workdir", str(tmp_path / "work"), "--report", str(report)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert "dbt build failed" in done.stderr
    assert "Out of Memory Error" in done.stderr
    assert str(tmp_path / "work" / "build.log") in done.stderr
    assert "Traceback" not in done.stderr
    assert not report.exists()


def test_the_report_starts_at_dbts_summary_of_errors() -> None:
    output = "\n".join(
        [f"03:00:{i:02d}  {i} of 500 OK created sql table model staging.x" for i in range(60)]
        + [
            "03:01:00  Completed with 1 error, 0 partial successes, and 0 warnings:",
            "03:01:00  Runtime Error in model base_web__events (models/staging/web/base/base_web__events.sql)",
            "  Binder Error: Referenced column \"row_hash\" not found in FROM clause!",
            "03:01:00  Done. PASS=10 WARN=0 ERROR=1 SKIP=490 NO-OP=0 TOTAL=501",
        ]
    )
    report = failure_report(output)
    assert report.startswith("Completed with 1 error")
    assert 'Referenced column "row_hash"' in report
    assert "OK created" not in report
    assert failure_report("") == "(no output)"


def _run_results(folder: Path, results: list[dict]) -> Path:
    """A run_results.json holding these node results, as dbt writes it."""
    import json

    path = folder / "run_results.json"
    path.write_text(json.dumps({"results": results}))
    return path


def _timed(*nodes: tuple[str, float]) -> list[dict]:
    """Node results of these unique ids and execution times."""
    return [{"unique_id": uid, "execution_time": seconds} for uid, seconds in nodes]


def test_the_report_says_where_the_build_time_went(tmp_path: Path) -> None:
    """Node seconds per kind (so the data tests' cost is stated) and the slowest nodes."""
    from journey.bench import node_times

    path = _run_results(tmp_path, _timed(
        ("model.customer_journey.base_web__events", 12.0),
        ("model.customer_journey.stg_web__events", 0.5),
        ("test.customer_journey.unique_fct_sessions_session_id.abc", 0.75),
        ("test.customer_journey.not_null_fct_sessions_person_id.def", 0.25),
    ))  # fmt: skip
    lines = node_times(path, slowest=2)
    assert "| model | 2 | 12.5 |" in lines
    assert "| test | 2 | 1.0 |" in lines
    assert lines[-2:] == ["| base_web__events | 12.0 |", "| unique_fct_sessions_session_id.abc | 0.8 |"]


def test_the_report_says_where_the_build_memory_went(tmp_path: Path) -> None:
    """Each node gets the largest resident set sampled while it executed;
    a node with no sample in its span (or no timing) is left out."""
    from datetime import datetime, timezone

    from journey.bench import node_memory

    def stamp(seconds: float) -> str:
        return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def node(name: str, begin: float, end: float) -> dict:
        return {"unique_id": f"model.customer_journey.{name}", "execution_time": end - begin,
                "timing": [{"name": "compile", "started_at": stamp(begin - 5), "completed_at": stamp(begin)},
                           {"name": "execute", "started_at": stamp(begin), "completed_at": stamp(end)}]}  # fmt: skip

    t0 = 1_800_000_000.0
    results = [node("lines", t0, t0 + 10), node("sessions", t0 + 5, t0 + 20), node("tiny", t0 + 30, t0 + 30.5),
               {"unique_id": "operation.customer_journey.hook", "execution_time": 0.1, "timing": []}]  # fmt: skip
    path = _run_results(tmp_path, results)
    samples = ((t0 + 1, 100.0), (t0 + 6, 900.0), (t0 + 15, 400.0), (t0 + 40, 50.0))
    lines = node_memory(path, samples)
    assert lines[2:] == ["| lines | 900 |", "| sessions | 900 |"]
    assert node_memory(path, samples, largest=1)[2:] == ["| lines | 900 |"]


def test_the_markov_bench_counts_the_moves_the_model_solves(tmp_path: Path) -> None:
    """The bench's SQL over path strings (repeated channels collapsed into one step,
    each distinct path counted once with its journeys) gives the effects of the
    published example, whose moves test_attribution_reference.py counts by hand."""
    from journey.bench_markov import exact_effects

    csv = tmp_path / "Data.csv"
    csv.write_text(
        "path;total_conversions;total_conversion_value;total_null\n"
        "C1 > C1 > C2 > C3;1;10.0;0\nC1;0;0;1\nC2 > C3;0;0;1\n"
    )
    _, effects = exact_effects(csv, copies=3)
    assert effects == {"C1": pytest.approx(0.5), "C2": pytest.approx(1.0), "C3": pytest.approx(1.0)}


def test_a_step_is_measured_with_the_spill_folder_it_grows(tmp_path: Path) -> None:
    """The bench looks at a step's spill folder while it runs: the peak it
    reports is the largest size the folder had, even if the step empties it."""
    spill = tmp_path / "spill"
    step = (
        "import os, time, pathlib; d = pathlib.Path(os.environ['SPILL']); d.mkdir();"
        "(d / 'a.tmp').write_bytes(b'x' * 3 * 2**20); time.sleep(2.5); (d / 'a.tmp').unlink()"
    )
    measured = run_step(
        [sys.executable, "-c", step], {**os.environ, "SPILL": str(spill)}, tmp_path / "log", spill
    )
    assert 3.0 <= measured.peak_spill_mib < 3.1
    # the step's resident set is sampled while it runs
    assert len(measured.rss_samples) >= 2
    assert all(0 < mib <= measured.peak_mib + 1 for _, mib in measured.rss_samples)
    assert folder_mib(spill) == 0
    assert measured.seconds >= 2.5


def test_the_report_compares_event_staging_with_the_floor(tmp_path: Path) -> None:
    """The web and app staging models' node seconds (and no other node's)
    against the floor."""
    from journey.bench import event_staging_line

    path = _run_results(tmp_path, _timed(
        ("model.customer_journey.base_web__event_lines", 9.0),
        ("model.customer_journey.base_app__event_duplicates", 2.0),
        ("model.customer_journey.stg_web__events", 1.0),
        ("model.customer_journey.base_crm__contacts", 5.0),
        ("test.customer_journey.not_null_stg_web__events_message_id.abc", 4.0),
    ))  # fmt: skip
    line = event_staging_line(path, floor_seconds=4.0)
    assert line == "event staging (the web and app staging models): 12.0 node s, 3.0x the floor"


def test_the_bench_builds_a_given_zone_without_simulating(tmp_path: Path) -> None:
    """`--landing`: the example zone is read and built as it is; the report
    names the zone, counts its raw rows and says nothing was simulated."""
    from conftest import EXAMPLE_LANDING

    report = tmp_path / "report.md"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "journey"), "bench", "--persons", "0", "--repeat", "1",
         "--workdir", str(tmp_path / "work"), "--landing", str(EXAMPLE_LANDING), "--report", str(report)],
        env={**os.environ, "DO_NOT_TRACK": "1", "JOURNEY_MEMORY_LIMIT": "8GB"},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = report.read_text()
    assert f"| simulate | not run: the zone in {EXAMPLE_LANDING} |" in text
    assert not (tmp_path / "work" / "data").exists()
    rows = duckdb.connect(str(tmp_path / "work" / "bench.duckdb"), read_only=True).execute(
        "select sum(rows_in_files) from marts.rpt_row_accounting"
    ).fetchone()[0]
    assert rows > 0 and f"raw landing rows: {rows:,} (" in text
    # the example zone needs far less than the default budget
    assert "MiB: within the budget of 7,629 MiB (JOURNEY_MEMORY_LIMIT=8GB)" in text
    assert "event staging (the web and app staging models): " in text


def test_the_identity_bench_writes_its_report(tmp_path: Path) -> None:
    """`journey bench identity`: the SQL components (the project's macro, run by
    dbt), scipy and networkx find the same components of one graph; the table
    with each method's time and its ratio to scipy is written to the report."""
    report = tmp_path / "identity.md"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "journey"), "bench", "identity", "--edges", "3000",
         "--repeat", "1", "--workdir", str(tmp_path / "work"), "--report", str(report)],
        env={**os.environ, "DO_NOT_TRACK": "1"}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = report.read_text()
    assert text.startswith("# Connected components: ")
    assert "all methods found the same number of components" in text
    for method in ("| dbt-startup |", "| sql (dbt run-operation, ", "| scipy |", "| networkx |"):
        assert method in text


def test_the_daily_bench_builds_the_history_then_the_last_day(tmp_path: Path) -> None:
    """`journey bench incremental --landing`: the example zone up to the day
    before its last app partition is the history; the daily build, a build
    with nothing new and a full refresh of the same files are reported."""
    from conftest import EXAMPLE_LANDING

    report = tmp_path / "report.md"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "journey"), "bench", "incremental", "--persons", "0",
         "--days", "23", "--start", "2026-03-01", "--repeat", "1",
         "--workdir", str(tmp_path / "work"), "--landing", str(EXAMPLE_LANDING), "--report", str(report)],
        env={**os.environ, "DO_NOT_TRACK": "1", "JOURNEY_MEMORY_LIMIT": "8GB"},
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = report.read_text()
    day = tmp_path / "work" / "deliveries" / "delivery-2026-03-23"
    assert (day / "app" / "date=2026-03-23").is_dir()
    assert "The day delivered (delivery-2026-03-23): " in text
    for step in ("history: first build of 22 days", "daily build:", "with nothing new", "dbt parse", "full build:"):
        assert f"| {step}" in text or step in text, step
    assert "daily / full: " in text and "% of the time" in text
    # dbt's fixed cost: every node of the project, built on a hundred persons
    nodes = len(json.loads((tmp_path / "work" / "daily_run_results.json").read_text())["results"])
    assert f"| dbt's fixed cost: `dbt build` with nothing new, {nodes} nodes on 100 persons | " in text
    assert re.search(r"dbt's fixed cost / full: [0-9.]+%", text)
    assert "--exclude-resource-type unit_test" in text and "| unit_test |" not in text
    # each build's largest resident sets, a table per build (sampled once a
    # second: the example's nodes mostly run quicker, so rows may be few)
    assert text.count("| largest resident set while a node ran | MiB |") == 3
    # the slowest nodes of the daily build and of the build with nothing new
    assert text.count("| slowest nodes | s |") == 2
    served, following, built = (
        float(size.replace(",", ""))
        for size in re.search(
            r"files after the last full build: served ([0-9,.]+) MiB .* next ([0-9,.]+) MiB .* build ([0-9,.]+) MiB",
            text,
        ).groups()
    )
    assert 0 < served == following and built > 0  # the served file is the next file's copy
    # the warehouse of the last step holds every file's rows
    rows = duckdb.connect(str(build_path(tmp_path / "work" / "bench.duckdb")), read_only=True).execute(
        "select count(distinct source_file) from staging.base_web__event_lines"
    ).fetchone()[0]
    assert rows == len(list((EXAMPLE_LANDING / "web").glob("*/*.gz")))
