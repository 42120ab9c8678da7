"""Run the dbt project programmatically (tests and benchmark share this)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from journey.simulate.config import project_root


@dataclass(frozen=True)
class Workspace:
    """Where one build reads from and writes to: the contract's environment variables."""

    landing: Path
    duckdb: Path
    salt: str = "test-salt"
    target: Path | None = None

    def env(self) -> dict[str, str]:
        return {
            "JOURNEY_LANDING_PATH": str(self.landing),
            "JOURNEY_DUCKDB_PATH": str(self.duckdb),
            "JOURNEY_HASH_SALT": self.salt,
            "DO_NOT_TRACK": "1",
        }


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_dbt(workspace: Workspace, args: Sequence[str]) -> object:
    """Invoke dbt in-process with the workspace's environment; returns dbtRunnerResult."""
    from dbt.cli.main import dbtRunner

    root = project_root()
    target = workspace.target or workspace.duckdb.parent / "target"
    argv = [
        *args,
        "--project-dir", str(root),
        "--profiles-dir", str(root),
        "--target-path", str(target),
        "--log-path", str(target / "logs"),
        "--quiet",
    ]  # fmt: skip
    with _environment(workspace.env()):
        result = dbtRunner().invoke(argv)
    _release_duckdb()
    return result


def _release_duckdb() -> None:
    """dbt-duckdb keeps its database open for the life of the process; drop it
    so the file can be opened again (read-only, or by the next build)."""
    import gc

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
    gc.collect()
