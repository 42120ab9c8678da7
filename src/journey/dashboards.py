"""The Evidence dashboards in `dashboards/`: build them over a warehouse file
(opened read-only by Evidence's DuckDB connector), and read which marts each
page depends on (the exposures in the dbt project must say the same)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from journey.simulate.config import project_root

PROJECT = project_root() / "dashboards"
SOURCE = "warehouse"
# What a copy of the project needs besides node_modules (linked, not copied).
PROJECT_FILES = ("pages", "sources", "evidence.config.yaml", "evidence.settings.json", "package.json")


def evidence_env(warehouse: Path, project: Path = PROJECT) -> dict[str, str]:
    """The environment for `npm run sources` / `build:strict`: telemetry off and
    the DuckDB file, which Evidence takes relative to the source's folder."""
    source_dir = (project / "sources" / SOURCE).resolve()
    filename = os.path.relpath(warehouse.resolve(), source_dir)
    return {
        **os.environ,
        "SEND_ANONYMOUS_USAGE_STATS": "no",
        "DO_NOT_TRACK": "1",
        f"EVIDENCE_SOURCE__{SOURCE}__filename": filename,
    }


def build(warehouse: Path, workdir: Path | None = None, strict: bool = True) -> Path:
    """Extract the sources from `warehouse` and build the static site; returns
    its folder. With `workdir`, builds a copy there (node_modules linked), so the
    project folder is left as it is."""
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse} is missing: run `make warehouse` (or dbt build) first")
    if not (PROJECT / "node_modules" / ".package-lock.json").exists():
        raise FileNotFoundError("dashboards/node_modules is missing: run `make dashboards-setup` (npm install)")
    project = PROJECT
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        for name in PROJECT_FILES:
            src, dst = PROJECT / name, workdir / name
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                shutil.copy2(src, dst)
        link = workdir / "node_modules"
        if not link.exists():
            link.symlink_to(PROJECT / "node_modules", target_is_directory=True)
        project = workdir
    env = evidence_env(warehouse, project)
    for script in ("sources", "build:strict" if strict else "build"):
        proc = subprocess.run(
            ["npm", "run", script], cwd=project, env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(f"npm run {script} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return project / "build"


def source_marts(project: Path = PROJECT) -> dict[str, set[str]]:
    """Each source query (a table of the site) and the marts it reads."""
    return {
        sql.stem: set(re.findall(r"\bmarts\.(\w+)", sql.read_text()))
        for sql in sorted((project / "sources" / SOURCE).glob("*.sql"))
    }


def page_marts(project: Path = PROJECT) -> dict[str, set[str]]:
    """Each page (by its file name) and the marts behind the tables it queries."""
    sources = source_marts(project)
    pages: dict[str, set[str]] = {}
    for page in sorted((project / "pages").glob("*.md")):
        tables = set(re.findall(rf"\b{SOURCE}\.(\w+)", page.read_text()))
        unknown = tables - sources.keys()
        if unknown:
            raise ValueError(f"{page.name} queries tables with no source query: {sorted(unknown)}")
        pages[page.stem] = set().union(*(sources[t] for t in tables)) if tables else set()
    return pages
