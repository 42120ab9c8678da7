"""JOURNEY_MEMORY_LIMIT is what the whole build may use: DuckDB's buffer pool
gets it less a reserve for dbt, Python and DuckDB's allocations outside the
pool (journey.serving), and `journey bench` reports the peak against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from journey.bench import budget_line
from journey.serving import buffer_pool_bytes, size_bytes
from journey.simulate.config import project_root


def test_sizes_are_read_as_duckdb_reads_them() -> None:
    assert size_bytes("8GB") == 8 * 10**9
    assert size_bytes("6 GiB") == 6 * 2**30
    assert size_bytes("1.5gb") == 1_500_000_000
    assert size_bytes("512MiB") == 512 * 2**20
    with pytest.raises(ValueError, match="not a memory size"):
        size_bytes("lots")
    with pytest.raises(ValueError, match="not a memory size"):
        size_bytes("8 GQ")


def test_duckdb_gets_the_budget_less_the_reserve() -> None:
    # default reserve: 1 GiB for dbt and Python, and 30% of the pool
    assert buffer_pool_bytes("8GB") == int((8 * 10**9 - 2**30) / 1.3)
    assert buffer_pool_bytes("2GB") == int((2 * 10**9 - 2**30) / 1.3)
    pool = buffer_pool_bytes("8GB")
    assert 8 * 10**9 - pool == pytest.approx(2**30 + 0.3 * pool, abs=1)
    assert buffer_pool_bytes("8GB", "1GiB") == 8 * 10**9 - 2**30
    assert buffer_pool_bytes("8GB", " ") == buffer_pool_bytes("8GB")
    with pytest.raises(ValueError, match="give the build at least 1.01 GiB"):
        buffer_pool_bytes("1GB")
    with pytest.raises(ValueError, match="give the build at least 7.46 GiB"):
        buffer_pool_bytes("8GB", "7.45GiB")


def test_the_report_says_whether_the_peak_kept_to_the_budget() -> None:
    assert budget_line(1907.0, "2GB") == (
        "peak memory 1,907 MiB: within the budget of 1,907 MiB (JOURNEY_MEMORY_LIMIT=2GB)"
    )
    assert "over the budget of 7,629 MiB" in budget_line(9333.0, "8GB")


def test_a_dbt_run_gives_duckdb_the_pool_and_its_threads(tmp_path: Path) -> None:
    """The profile hands the budget to the plugin, which sets DuckDB's memory_limit;
    JOURNEY_DBT_THREADS sets how many models dbt runs at once, apart from
    DuckDB's threads (JOURNEY_THREADS)."""
    from conftest import EXAMPLE_LANDING

    root = project_root()
    shown = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "show", "--inline",
         "select current_setting('memory_limit') as memory_limit,"
         " current_setting('threads') as threads", "--output", "json",
         "--log-format", "json", "--project-dir", str(root), "--profiles-dir", str(root),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env={**os.environ, "DO_NOT_TRACK": "1", "JOURNEY_MEMORY_LIMIT": "3GB",
             "JOURNEY_THREADS": "2", "JOURNEY_DBT_THREADS": "1",
             "JOURNEY_LANDING_PATH": str(EXAMPLE_LANDING),
             "JOURNEY_DUCKDB_PATH": str(tmp_path / "w.duckdb")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stdout + shown.stderr
    events = [json.loads(line) for line in shown.stdout.splitlines() if line.startswith("{")]
    preview = next(e["data"]["preview"] for e in events if "preview" in e["data"])
    expected = duckdb.connect(config={"memory_limit": f"{buffer_pool_bytes('3GB')}B"}).execute(
        "select current_setting('memory_limit')"
    ).fetchone()[0]
    assert json.loads(preview) == [{"memory_limit": expected, "threads": 2}]
    assert [e["data"]["num_threads"] for e in events if e["info"]["name"] == "ConcurrencyLine"] == [1]


def test_the_bench_refuses_a_budget_it_cannot_use(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "journey"), "bench", "--persons", "60", "--days", "14",
         "--repeat", "1", "--workdir", str(tmp_path / "work"), "--report", str(tmp_path / "r.md")],
        env={**os.environ, "DO_NOT_TRACK": "1", "JOURNEY_MEMORY_LIMIT": "1GB"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1
    assert "JOURNEY_MEMORY_LIMIT=1GB" in done.stderr and "give the build at least 1.01 GiB" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r.md").exists()
