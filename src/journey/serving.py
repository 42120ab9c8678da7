"""The dbt-duckdb plugin behind the serving contract (CONTRACT.md, section 3).

dbt builds into two working files beside the served one: the build file
(`<JOURNEY_DUCKDB_PATH>.build`: staging, intermediate tables, the state of
incremental models) and the next served file (`<JOURNEY_DUCKDB_PATH>.next`,
attached as `journey_served`: the marts, the reference tables and the history
no landing file gives again, see the macro `is_served`). Once a build has
passed, the `publish_warehouse` on-run-end hook checkpoints the next file and
`journey_publish_warehouse()` copies it beside the served file and renames the
copy over it: a reader holding the old file keeps its consistent view, a
reader opening the path afterwards sees the new build, and a failed or killed
build leaves the last good warehouse served.

The plugin also hands the hash salt to every cursor as the DuckDB variable
`journey_hash_salt`, read from the environment, so that the salt is never a
literal in compiled SQL, the manifest, the logs or the docs site.

`JOURNEY_MEMORY_LIMIT` is the memory the whole build may use. DuckDB's
`memory_limit` bounds its buffer pool only, and the process holds more: dbt,
its manifest and Python (about 0.5 GiB), and what DuckDB allocates outside the
pool (DuckDB's documentation: some operations bypass its buffer manager). The
plugin gives DuckDB the budget less a reserve for the rest
(`JOURNEY_MEMORY_RESERVE`; by default 1 GiB plus 30% of the pool, so the pool
is (budget - 1 GiB) / 1.3); `journey bench` reports the build's peak against
the budget.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

SALT_ENV = "JOURNEY_HASH_SALT"
DEFAULT_SALT = "change-me"
SALT_VARIABLE = "journey_hash_salt"
BUILD_SUFFIX = ".build"
NEXT_SUFFIX = ".next"
# the catalog the profile attaches the next served file as (macro served_database)
SERVED_CATALOG = "journey_served"
MEMORY_ENV = "JOURNEY_MEMORY_LIMIT"
DEFAULT_MEMORY = "8GB"
RESERVE_ENV = "JOURNEY_MEMORY_RESERVE"
# DuckDB's units: KB, MB, GB, TB are powers of 1000, KiB... powers of 1024
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}  # fmt: skip
MIN_POOL = 2**20
POOL_OVERHEAD = 0.3


def build_path(served: Path | str) -> Path:
    """The working database a build writes into, beside the served file."""
    return Path(f"{served}{BUILD_SUFFIX}")


def next_path(served: Path | str) -> Path:
    """The next served file a build writes the served relations into."""
    return Path(f"{served}{NEXT_SUFFIX}")


def working_paths(served: Path | str) -> list[Path]:
    """The files a build keeps from one build to the next, beside `served`."""
    return [build_path(served), next_path(served)]


def connect_build(served: Path | str, read_only: bool = True) -> Any:
    """A DuckDB connection to a build's working files as dbt sees them: the
    build file, with the next served file attached as `journey_served`, every
    schema of both on the search path (`marts.fct_sessions`,
    `intermediate.int_identity__persons`)."""
    import duckdb

    con = duckdb.connect(str(build_path(served)), read_only=read_only)
    mode = " (read_only)" if read_only else ""
    con.execute(f"attach if not exists '{str(next_path(served)).replace(chr(39), chr(39) * 2)}' as {SERVED_CATALOG}{mode}")
    schemas = con.execute(
        "select database_name, schema_name from duckdb_schemas()"
        " where database_name in (current_database(), ?) and not internal"
        " order by database_name = ?, schema_name",
        [SERVED_CATALOG, SERVED_CATALOG],
    ).fetchall()
    path = ",".join(f'"{db}"."{schema}"' for db, schema in schemas).replace("'", "''")
    con.execute(f"set search_path = '{path}'")
    return con


def build_cursor(con: Any) -> Any:
    """A cursor of a connect_build connection: a new connection to the same
    database, which shares the attached file but not the search path."""
    cursor = con.cursor()
    path = con.execute("select current_setting('search_path')").fetchone()[0].replace("'", "''")
    cursor.execute(f"set search_path = '{path}'")
    return cursor


def hash_salt() -> str:
    """The salt of every identifier hash, from the environment."""
    return os.environ.get(SALT_ENV) or DEFAULT_SALT


def size_bytes(size: str) -> int:
    """Bytes of a size written the way DuckDB reads `memory_limit` ("8GB", "6 GiB")."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", size)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a memory size: {size!r} (write it like 8GB or 6GiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def buffer_pool_bytes(budget: str, reserve: str = "") -> int:
    """DuckDB's `memory_limit` for a build that may use `budget` in all: the budget
    less `reserve`. By default the reserve is 1 GiB for dbt and Python plus
    POOL_OVERHEAD of the pool for what DuckDB allocates outside it (measured:
    9% at 100k persons, 28% at 1M)."""
    total = size_bytes(budget)
    if reserve.strip():
        kept = size_bytes(reserve)
    else:
        kept = total - int((total - 2**30) / (1 + POOL_OVERHEAD))
    if total - kept < MIN_POOL:
        # the smallest budget that leaves DuckDB MIN_POOL, in GiB rounded up
        least = MIN_POOL + (size_bytes(reserve) if reserve.strip() else 2**30 + POOL_OVERHEAD * MIN_POOL)
        raise ValueError(
            f"{MEMORY_ENV}={budget} less {RESERVE_ENV}={reserve or 'its default'} leaves"
            f" DuckDB {(total - kept) / 2**20:.0f} MiB;"
            f" give the build at least {math.ceil(least / 2**30 * 100) / 100:.2f} GiB"
        )
    return total - kept


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_target(served: Path) -> Path:
    """The file a publish writes the served tables into, beside `served` (a
    rename is atomic on one file system only). Leftovers of an interrupted
    publish are removed first."""
    served = served.resolve()
    for stale in served.parent.glob(f"{served.name}.publish-*"):
        stale.unlink(missing_ok=True)
    return served.parent / f"{served.name}.publish-{os.getpid()}"


def publish(written: Path, served: Path) -> Path:
    """Copy `written` (the next served file, checkpointed by the
    publish_warehouse macro) beside `served` and rename the copy over it. A
    stale write-ahead log beside the served file would be replayed against the
    new file, so it goes too."""
    served = served.resolve()
    if Path(f"{written}.wal").exists():
        raise RuntimeError(f"{written} still has a write-ahead log: it was not checkpointed")
    copy = publish_target(served)
    shutil.copyfile(written, copy)
    with copy.open("rb") as handle:
        os.fsync(handle.fileno())
    Path(f"{served}.wal").unlink(missing_ok=True)
    os.replace(copy, served)
    _fsync_dir(served.parent)
    return served


class Plugin(BasePlugin):
    """Configured in profiles.yml with `served_path` (JOURNEY_DUCKDB_PATH),
    `memory_budget` (JOURNEY_MEMORY_LIMIT) and `memory_reserve`
    (JOURNEY_MEMORY_RESERVE)."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.served = Path(plugin_config["served_path"])
        self.pool = buffer_pool_bytes(
            str(plugin_config.get("memory_budget") or DEFAULT_MEMORY),
            str(plugin_config.get("memory_reserve") or ""),
        )
        self.next = next_path(self.served)
        # A warehouse whose next file was deleted (or served before this
        # layout) still holds the history no landing file gives again (person
        # id assignments, map_person_ids, snapshots): start from it; dbt
        # builds the other tables again from every file.
        if not self.next.exists() and self.served.exists():
            self.next.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.served, self.next)

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        config["memory_limit"] = f"{self.pool}B"

    def configure_connection(self, conn: Any) -> None:
        # functions are shared by the connection's cursors, variables are not
        conn.create_function(
            "journey_publish_warehouse",
            lambda: str(publish(self.next, self.served)),
            [],
            "VARCHAR",
            side_effects=True,
        )
        # a folder and its parents, for COPY ... TO (macro export_parquet)
        conn.create_function(
            "journey_make_folder",
            lambda path: str(Path(path).mkdir(parents=True, exist_ok=True) or path),
            ["VARCHAR"],
            "VARCHAR",
            side_effects=True,
        )

    def configure_cursor(self, cursor: Any) -> None:
        cursor.execute(f"set variable {SALT_VARIABLE} = $salt", {"salt": hash_salt()})
