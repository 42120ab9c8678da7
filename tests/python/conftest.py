"""Session fixtures: a simulated landing zone with its truth, built once into a
temporary DuckDB file with dbt's Python API, opened read-only by the tests.

The warehouse fixtures open the build file (`<JOURNEY_DUCKDB_PATH>.build`:
staging, intermediate) with the next served file attached
(`journey.serving.connect_build`: the marts, the reference tables and the
history, which the served file is a copy of; test_deployment checks it).

The suite runs on two pytest-xdist workers (pyproject.toml), one test file per
worker at a time; the simulated zone and the example zone are built once per
run and shared by both workers through a file lock."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from journey.deliveries import cut_deliveries, deliver
from journey.serving import connect_build, working_paths
from journey.simulate import SimConfig, simulate
from journey.simulate.config import project_root
from journey.warehouse import Workspace, run_dbt

# The default test data set: small enough for CI, large enough for every
# persona, dirt and guardrail case to occur many times.
TEST_CONFIG = SimConfig(persons=5000, days=60, seed=7)
SALT = "test-salt"
EXAMPLE_LANDING = project_root().parent / "shared" / "examples" / "landing"
# a build without the data and unit tests: the builds a test makes on the
# way to the one it checks. The next build with the tests checks every row
# written since the last build whose tests ran (config meta tests_last_load),
# so what an untested build wrote is checked all the same. (The Spark build
# of the test zone goes without them too: they run on Spark on the example
# zone, test_spark.py.)
UNTESTED_BUILD = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


# The order in which the two workers take the test files (one file at a
# time each, pyproject.toml: --dist=loadfile --no-loadscope-reorder): the
# longest first, the two Spark files and the daily builds apart, so that a
# worker seldom waits for a build the other is making (_once); the truth
# tests last, when the three builds of the test zone they read are made.
FIRST_FILES = ("test_spark.py", "test_daily_operation.py", "test_spark_sim.py", "test_bench.py",
               "test_deployment.py", "test_dashboards.py", "test_project.py")  # fmt: skip
LAST_FILES = ("test_identity.py", "test_journeys.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        if name in FIRST_FILES:
            return FIRST_FILES.index(name)
        return len(FIRST_FILES) + 1 + LAST_FILES.index(name) if name in LAST_FILES else len(FIRST_FILES)

    items.sort(key=rank)  # stable: the files in between, and the tests of a file, keep their order


def copy_example(landing: Path) -> Path:
    """A writable copy of the shared example landing zone (which may be
    read-only) for a test to add files to."""
    shutil.copytree(EXAMPLE_LANDING, landing, copy_function=shutil.copyfile)
    for path in [landing, *landing.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return landing


def _build(workspace: Workspace, args: list[str] | None = None) -> object:
    result = run_dbt(workspace, args or ["build"])
    failures = [
        f"{r.node.unique_id}: {r.status} {r.message}"
        for r in result.result or []
        if str(r.status) not in ("success", "pass")
        and not (r.node.resource_type == "exposure" and str(r.status) == "no-op")
    ]
    assert result.success and not failures, "dbt build failed:\n" + "\n".join(failures)
    return result


def _once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder that `make` fills once per test run, whichever worker asks first;
    the other waits for it. Without xdist, a plain temporary folder."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        out = tmp_path_factory.mktemp(name)
        make(out)
        return out
    shared = tmp_path_factory.getbasetemp().parent  # one per run, above the workers'
    out = shared / name
    with FileLock(str(shared / f"{name}.lock")):
        if not (out / ".done").exists():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            make(out)
            (out / ".done").touch()
    return out


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _once(tmp_path_factory, "sim", lambda out: simulate(TEST_CONFIG, out, progress=False))


@pytest.fixture(scope="session")
def sim_build(sim_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict]:
    """The simulated zone built once, with the run results dbt wrote (what
    every node did), read back from its target folder."""

    def workspace(out: Path) -> Workspace:
        return Workspace(landing=sim_dir / "landing", duckdb=out / "warehouse.duckdb", salt=SALT)

    out = _once(tmp_path_factory, "sim-build", lambda out: _build(workspace(out)))
    return workspace(out), json.loads((out / "target" / "run_results.json").read_text())


# Daily operation: the test zone cut into deliveries (journey.deliveries) on
# these days, counted back from its last: the history up to 8 days before,
# then a day (an erasure in the CRM), four days at once (after an outage),
# and three days one by one.
DELIVERY_DAYS_BEFORE_LAST = (8, 7, 3, 2, 1, 0)


@dataclass(frozen=True)
class DailyBuild:
    """The test zone delivered day by day: one full build of the first
    delivery, then one plain `dbt build` per delivery, the last delivery
    delivered twice; and a full build on all the delivered files at once.
    The builds before the last delivery go without the tests
    (UNTESTED_BUILD): the last delivery's build tests every row written
    since the history."""

    deliveries: list[Path]
    daily: Workspace  # after every delivery
    before_repeat: Path  # the served file before the last delivery came twice (and its build file)
    full: Workspace  # `dbt build --full-refresh` on the same files


@pytest.fixture(scope="session")
def daily_build(sim_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> DailyBuild:
    last = TEST_CONFIG.start + timedelta(TEST_CONFIG.days - 1)
    days = [last - timedelta(before) for before in DELIVERY_DAYS_BEFORE_LAST]

    def workspaces(out: Path) -> tuple[Workspace, Workspace]:
        return (
            Workspace(landing=out / "landing", duckdb=out / "daily" / "warehouse.duckdb", salt=SALT),
            Workspace(landing=out / "landing", duckdb=out / "full" / "warehouse.duckdb", salt=SALT),
        )

    def make(out: Path) -> None:
        daily, full = workspaces(out)
        deliveries = cut_deliveries(sim_dir / "landing", out / "deliveries", days)
        for delivery in deliveries:
            deliver(delivery, daily.landing)
            _build(daily, None if delivery == deliveries[-1] else UNTESTED_BUILD)
        shutil.copyfile(daily.duckdb, out / "before-repeat.duckdb")
        for kept, copy in zip(working_paths(daily.duckdb), working_paths(out / "before-repeat.duckdb")):
            shutil.copyfile(kept, copy)
        deliver(deliveries[-1], daily.landing)
        _build(daily)
        _build(full, ["build", "--full-refresh"])

    out = _once(tmp_path_factory, "daily-build", make)
    daily, full = workspaces(out)
    return DailyBuild(
        deliveries=sorted((out / "deliveries").iterdir()),
        daily=daily,
        before_repeat=out / "before-repeat.duckdb",
        full=full,
    )


@pytest.fixture(scope="session")
def warehouse(sim_build: tuple[Workspace, dict]) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect_build(sim_build[0].duckdb)
    yield con
    con.close()


@pytest.fixture(scope="session")
def daily_warehouse(daily_build: DailyBuild) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect_build(daily_build.daily.duckdb)
    yield con
    con.close()


@pytest.fixture(scope="session")
def spark_sim(sim_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The simulated test zone built once on Spark, without the data tests
    (they run on Spark on the example zone: test_spark), and its views
    exported as Parquet (spark_helpers.export_views): with the managed
    tables, every relation DuckDB can read."""
    from spark_helpers import export_views, spark_build

    def make(out: Path) -> None:
        spark_build(out, sim_dir / "landing", UNTESTED_BUILD)
        export_views(out, sim_dir / "landing")

    return _once(tmp_path_factory, "spark-sim", make)


@pytest.fixture(scope="session")
def spark_sim_warehouse(spark_sim: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Spark's relations of the simulated zone, read through DuckDB under
    their warehouse names."""
    from spark_helpers import open_spark

    con = open_spark(spark_sim)
    yield con
    con.close()


@pytest.fixture(
    scope="module",
    params=["one full build", "daily builds", pytest.param("on spark", marks=pytest.mark.spark_sim)],
)
def truth_warehouse(request: pytest.FixtureRequest) -> duckdb.DuckDBPyConnection:
    """What the truth tests of identity, sessions and conversions check: the
    test zone built at once, the same zone delivered and built day by day
    (daily_build), and the zone built at once on Spark (spark_sim, marker
    spark_sim)."""
    names = {"one full build": "warehouse", "daily builds": "daily_warehouse", "on spark": "spark_sim_warehouse"}
    return request.getfixturevalue(names[request.param])


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
    out = _once(
        tmp_path_factory, "example",
        lambda out: _build(Workspace(landing=EXAMPLE_LANDING, duckdb=out / "example.duckdb", salt=SALT)),
    )  # fmt: skip
    workspace = Workspace(landing=EXAMPLE_LANDING, duckdb=out / "example.duckdb", salt=SALT)
    con = connect_build(workspace.duckdb)
    yield con
    con.close()
