"""The README's `mf query` examples run against the test warehouse, and each
returns what plain SQL over the marts returns."""

from __future__ import annotations

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from journey.simulate.config import project_root
from journey.warehouse import Workspace, run_dbt

# The SQL each README example must agree with, keyed by its --metrics.
EXPECTED = {
    "revenue,conversions": """
        select strftime(date_trunc('month', converted_at), '%Y-%m-%d %H:%M:%S'),
            sum(case when conversion_type in ('purchase', 'return') then revenue_eur else 0 end),
            sum(case when conversion_type = 'purchase' then 1 else 0 end)
        from marts.fct_conversions group by 1
    """,
    "conversion_rate,sessions": """
        select channel_group, avg(case when has_conversion then 1.0 else 0.0 end), count(*)
        from marts.fct_sessions group by 1
    """,
    "roas,attributed_revenue,spend": """
        select channel_group, sum(revenue_eur) / nullif(sum(spend_eur), 0), sum(revenue_eur),
            sum(spend_eur)
        from marts.mart_channel_performance where attribution_model = 'markov' group by 1
    """,
    "poas,profit_per_euro,investment": """
        select channel_group, sum(attributed_gross_margin_eur) / nullif(sum(investment_eur), 0),
            (sum(attributed_gross_margin_eur) - sum(investment_eur)) / nullif(sum(investment_eur), 0),
            sum(investment_eur)
        from marts.mart_partner_profitability where attribution_model = 'markov' group by 1
    """,
    "persons_by_stage": """
        select stage, count(distinct person_id) from marts.fct_stage_transitions group by 1
    """,
}


def _readme_examples() -> list[str]:
    readme = (project_root() / "README.md").read_text()
    return [line.strip() for line in readme.splitlines() if line.strip().startswith(".venv/bin/mf query")]


@pytest.fixture(scope="module")
def semantic_manifest(sim_build: tuple[Workspace, dict]) -> Workspace:
    """`mf` reads target/semantic_manifest.json of the project: parse into it."""
    workspace = sim_build[0]
    root_target = Workspace(workspace.landing, workspace.duckdb, workspace.salt, project_root() / "target")
    assert run_dbt(root_target, ["parse"]).success
    assert (project_root() / "target" / "semantic_manifest.json").exists()
    return workspace


def test_the_readme_has_the_tested_examples() -> None:
    metrics = [re.search(r"--metrics (\S+)", line).group(1) for line in _readme_examples()]
    assert sorted(metrics) == sorted(EXPECTED)


@pytest.mark.parametrize("example", _readme_examples())
def test_readme_mf_query(
    example: str, semantic_manifest: Workspace, warehouse: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    out = tmp_path / "result.csv"
    argv = shlex.split(example)
    argv[0] = str(Path(sys.executable).parent / "mf")
    env = {
        **os.environ,
        **semantic_manifest.env(),
        "JOURNEY_DBT_TARGET": "readonly",
        "DBT_PROFILES_DIR": str(project_root()),
    }
    proc = subprocess.run(
        [*argv, "--csv", str(out)], cwd=project_root(), env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    with out.open() as handle:
        rows = list(csv.reader(handle))[1:]
    metrics = re.search(r"--metrics (\S+)", example).group(1)
    expected = {row[0]: row[1:] for row in warehouse.execute(EXPECTED[metrics]).fetchall()}
    actual = {row[0]: row[1:] for row in rows}
    assert set(actual) == set(expected)
    for key, values in expected.items():
        got = [None if v == "" else float(v) for v in actual[key]]
        want = [None if v is None else float(v) for v in values]
        assert [g is None for g in got] == [w is None for w in want], key
        assert [g for g in got if g is not None] == pytest.approx([w for w in want if w is not None], rel=1e-9), key
