"""Session fixtures: a simulated landing zone with its truth, built once into a
temporary DuckDB file with dbt's Python API, opened read-only by the tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from journey.simulate import SimConfig, simulate
from journey.simulate.config import project_root
from journey.warehouse import Workspace, run_dbt

# The default test data set: small enough for CI, large enough for every
# persona, dirt and guardrail case to occur many times.
TEST_CONFIG = SimConfig(persons=5000, days=60, seed=7)
SALT = "test-salt"
EXAMPLE_LANDING = project_root().parent / "shared" / "examples" / "landing"


def _build(workspace: Workspace) -> object:
    result = run_dbt(workspace, ["build"])
    failures = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in result.result or []
        if str(r.status) not in ("success", "pass")
        and not (r.node.resource_type == "exposure" and str(r.status) == "no-op")
    ]
    assert result.success and not failures, "dbt build failed:\n" + "\n".join(failures)
    return result


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(TEST_CONFIG, out, progress=False)
    return out


@pytest.fixture(scope="session")
def sim_build(sim_dir: Path) -> tuple[Workspace, object]:
    workspace = Workspace(landing=sim_dir / "landing", duckdb=sim_dir / "warehouse.duckdb", salt=SALT)
    return workspace, _build(workspace)


@pytest.fixture(scope="session")
def warehouse(sim_build: tuple[Workspace, object]) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(sim_build[0].duckdb), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def truth(sim_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("identifiers", "conversions", "sessions", "stages", "persons"):
        con.execute(
            f"create view truth_{name} as select * from '{sim_dir / 'truth' / (name + '.parquet')}'"
        )
    return con


@pytest.fixture(scope="session")
def example_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    if not EXAMPLE_LANDING.is_dir():
        pytest.fail(f"the shared example landing zone is missing: {EXAMPLE_LANDING}")
    out = tmp_path_factory.mktemp("example")
    workspace = Workspace(landing=EXAMPLE_LANDING, duckdb=out / "example.duckdb", salt=SALT)
    _build(workspace)
    con = duckdb.connect(str(workspace.duckdb), read_only=True)
    yield con
    con.close()
