"""The generated lineage docs open in a real (headless Chromium) browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

from journey.browser import docs_url, dump_dom, screenshot
from journey.warehouse import Workspace, run_dbt


@pytest.fixture(scope="module")
def static_index(sim_build: tuple[Workspace, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The docs of the simulated build, generated over a copy of its warehouse
    (the other test worker reads the build's own target folder meanwhile)."""
    built = sim_build[0]
    out = tmp_path_factory.mktemp("docs")
    shutil.copy(built.duckdb, out / "warehouse.duckdb")
    workspace = Workspace(built.landing, out / "warehouse.duckdb", built.salt, out / "target")
    result = run_dbt(workspace, ["docs", "generate", "--static"])
    assert result.success
    index = out / "target" / "static_index.html"
    assert index.stat().st_size > 100_000
    return index


def test_the_overview_tells_how_the_warehouse_is_made(static_index: Path) -> None:
    """The docs site's home page is models/overview.md (the narrative the
    README points to), rendered."""
    dom = dump_dom(docs_url(static_index, "overview"))
    for heading in ("The identity graph", "Journeys and attribution", "Profit per partner and customer value",
                    "Lifecycle stages, funnel, cohorts and RFM"):
        assert heading in dom, heading
    assert "{% docs" not in dom


def test_a_mart_page_renders(static_index: Path) -> None:
    dom = dump_dom(docs_url(static_index, "model/model.customer_journey.fct_journeys"))
    assert "fct_journeys" in dom
    assert "One row per journey" in dom  # the model's description, rendered
    for column in ("journey_id", "channel_path", "is_online_to_offline", "hours_to_convert"):
        assert column in dom, column
    assert "VARCHAR" in dom  # column types come from the catalog


def test_the_lineage_graph_renders(static_index: Path, tmp_path: Path) -> None:
    url = docs_url(static_index, "model/model.customer_journey.fct_attribution?g_v=1&g_i=%2Bfct_attribution")
    dom = dump_dom(url)
    assert "Lineage Graph" in dom
    assert dom.count('data-id="layer2-node"') == 1  # cytoscape's node layer
    png = screenshot(url, tmp_path / "lineage.png")
    image = Image.open(png).convert("RGB")
    width, height = image.size
    # the graph area: between the title bar and the selector bar of the modal
    area = image.crop((40, 100, width - 40, height - 120))
    background = max(area.getcolors(maxcolors=1 << 20) or [(0, (0, 0, 0))])[1]
    drawn = sum(
        count
        for count, color in area.getcolors(maxcolors=1 << 20) or []
        if max(abs(a - b) for a, b in zip(color, background)) > 60
    )
    assert drawn > 2_000, f"only {drawn} pixels drawn over the graph's background {background}"
