"""Headless Chromium (Debian's package, no browser download) for the docs site:
a screenshot or the DOM after the page's scripts have run."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# Flags that keep Chromium off the network (the machine has none) and quiet.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise FileNotFoundError("headless Chromium not found: `apt-get install chromium` (see the README)")


def _run(url: str, extra: list[str], size: tuple[int, int], budget_ms: int) -> str:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        proc = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
             f"--virtual-time-budget={budget_ms}", *extra, url],
            capture_output=True, text=True, timeout=180, check=True,
        )  # fmt: skip
    return proc.stdout


def dump_dom(url: str, size: tuple[int, int] = (1400, 900), budget_ms: int = 20_000) -> str:
    """The page's DOM once its scripts have run (virtual time budget)."""
    return _run(url, ["--dump-dom"], size, budget_ms)


def screenshot(url: str, out: Path, size: tuple[int, int] = (1400, 900), budget_ms: int = 20_000) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    _run(url, [f"--screenshot={out}"], size, budget_ms)
    return out


def docs_url(static_index: Path, fragment: str) -> str:
    """A page of `dbt docs generate --static`'s single file (works from file://)."""
    return f"{static_index.resolve().as_uri()}#!/{fragment}"
