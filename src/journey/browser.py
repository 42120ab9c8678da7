"""Headless Chromium (Debian's package, no browser download) for the docs site
and the dashboards: a screenshot or the DOM after the page's scripts have run."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
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


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """A static site (the Evidence build) on a free localhost port, for as long
    as the block runs; yields its base URL."""
    handler = partial(_QuietHandler, directory=str(directory))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Chromium drops its connections when the virtual time budget ends.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass
