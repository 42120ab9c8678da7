"""Project hygiene: dbt tests all pass, everything is documented and tested, SQL is linted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import built_manifest
import journey
from journey.serving import connect_build
from journey.simulate.config import project_root
from journey.warehouse import Workspace


def test_build_ran_data_tests_and_all_passed(sim_build: tuple[Workspace, dict]) -> None:
    tests = [r for r in sim_build[1]["results"] if r["unique_id"].startswith("test.")]
    assert len(tests) >= 100
    assert all(r["status"] == "pass" for r in tests)
    names = {r["unique_id"].split(".")[2] for r in tests}
    assert "assert_identifier_normalisation" in names


def test_every_model_seed_and_column_is_described(sim_build: tuple[Workspace, dict]) -> None:
    manifest = built_manifest(sim_build[0])
    missing = []
    for node in manifest["nodes"].values():
        if node["package_name"] != "customer_journey":
            continue
        if node["resource_type"] in ("model", "seed"):
            if not node["description"].strip():
                missing.append(node["name"])
            missing += [
                f"{node['name']}.{c}"
                for c, col in node["columns"].items()
                if not col["description"].strip()
            ]
    for source in manifest["sources"].values():
        if not source["description"].strip():
            missing.append(source["unique_id"])
        if not source["columns"]:
            missing.append(f"{source['unique_id']}: no columns listed")
        missing += [
            f"{source['unique_id']}.{c}" for c, col in source["columns"].items() if not col["description"].strip()
        ]
    for kind in ("semantic_models", "metrics", "exposures"):
        missing += [
            node["unique_id"]
            for node in manifest.get(kind, {}).values()
            if node["package_name"] == "customer_journey" and not (node.get("description") or "").strip()
        ]
    assert manifest.get("semantic_models") and manifest.get("metrics")
    for macro in manifest["macros"].values():
        if macro["package_name"] == "customer_journey" and not macro["description"].strip():
            missing.append(macro["unique_id"])
    assert not missing, f"undocumented: {missing}"


def test_every_documented_column_exists(sim_build: tuple[Workspace, dict]) -> None:
    import duckdb

    manifest = built_manifest(sim_build[0])
    con = connect_build(sim_build[0].duckdb)
    problems = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != "customer_journey":
            continue
        if node["config"]["materialized"] == "ephemeral":
            continue  # no relation: inlined as a CTE
        actual = {
            r[0]
            for r in con.execute(
                "select column_name from duckdb_columns()"
                " where database_name = ? and schema_name = ? and table_name = ?",
                [node["database"], node["schema"], node["alias"]],
            ).fetchall()
        }
        assert actual, node["name"]
        problems += [f"{node['name']}.{c} documented, absent" for c in node["columns"] if c not in actual]
        problems += [f"{node['name']}.{c} undocumented" for c in actual if c not in node["columns"]]
    assert not problems, "\n".join(problems)


def test_every_model_has_data_tests(sim_build: tuple[Workspace, dict]) -> None:
    manifest = built_manifest(sim_build[0])
    tested = {
        dep
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        for dep in node["depends_on"]["nodes"]
    }
    models = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "customer_journey"
    }
    # a view whose every row one later model copies (meta keyed_in) is tested
    # through that model's rows (test_structure checks that it reads the view)
    copied = {
        node["unique_id"]
        for node in models.values()
        if models.get((node["config"].get("meta") or {}).get("keyed_in", ""), {}).get("unique_id") in tested
    }
    untested = [name for name, node in models.items() if node["unique_id"] not in tested | copied]
    assert not untested


@pytest.mark.parametrize(
    ("folder", "paths"),
    [
        (".", ["models", "tests/data", "analyses"]),
        # the dashboards' source queries: plain SQL (dashboards/.sqlfluff), linted from
        # that folder because sqlfluff takes the templater from the working directory
        ("dashboards", ["sources"]),
    ],
)
def test_sqlfluff_passes(tmp_path: Path, folder: str, paths: list[str]) -> None:
    env = {**os.environ, "JOURNEY_DUCKDB_PATH": str(tmp_path / "lint.duckdb")}
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "sqlfluff"), "lint", *paths, "--disable-progress-bar", "--nocolor"],
        cwd=project_root() / folder, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_one_version_number_everywhere() -> None:
    root = project_root()
    dbt_version = yaml.safe_load((root / "dbt_project.yml").read_text())["version"]
    pyproject = re.search(r'^version = "([^"]+)"', (root / "pyproject.toml").read_text(), re.M)
    changelog = re.search(r"^- ([0-9][^ ]*) ", (root / "CHANGELOG.md").read_text(), re.M)
    assert pyproject and changelog
    assert dbt_version == pyproject.group(1) == changelog.group(1) == journey.__version__
    assert f"version {dbt_version}" in (root / "README.md").read_text()


def _compiled_generic_test(tmp_path: Path, call: str) -> str:
    """The query a generic test of this project's compiles to (dbt compile
    --inline), ordered, for running against a hand-made table `t`."""
    from journey.warehouse import run_dbt

    result = run_dbt(
        Workspace(landing=tmp_path, duckdb=tmp_path / "w.duckdb"),
        ["compile", "--inline", "{{ customer_journey." + call + " }}"],
    )
    assert result.success
    return result.result.results[0].node.compiled_code + " order by all"


def test_not_null_columns_fails_on_each_row_with_a_null(tmp_path: Path) -> None:
    """The model-level not_null_columns test (one node for every column a
    model keeps non-null) returns one row per row holding a null in any of
    its columns, naming the first, and none when there is none."""
    import duckdb

    query = _compiled_generic_test(tmp_path, "test_not_null_columns('t', ['a', 'b'])")
    con = duckdb.connect()
    con.execute("create table t as select 'x' as a, 'y' as b, null as c from range(1000)")
    assert con.execute(query).fetchall() == []
    con.execute("insert into t values (null, 'y', 1), ('x', null, 2), (null, null, 3)")
    assert con.execute(query).fetchall() == [("a",), ("a",), ("b",)]


def test_sha256_hex_columns_fails_on_each_row_with_a_malformed_hash(tmp_path: Path) -> None:
    """The model-level sha256_hex_columns test (one node for every hashed
    column of a model) returns one row per row where a column holds anything
    but 64 lowercase hex characters, naming the first such column; nulls pass."""
    import duckdb

    query = _compiled_generic_test(tmp_path, "test_sha256_hex_columns('t', ['a', 'b'])")
    con = duckdb.connect()
    good = "a" * 64
    con.execute(f"create table t as select '{good}' as a, null::varchar as b, 'x' as c from range(1000)")
    assert con.execute(query).fetchall() == []
    con.execute(
        f"insert into t values ('{good.upper()}', null, 'x'), ('{good}', '{good[:63]}', 'x'),"
        f" ('{good[:63]}g', 'zz', 'x'), ('{good}', '{good}', 'x')"
    )
    assert con.execute(query).fetchall() == [("a",), ("a",), ("b",)]


def test_unique_combination_finds_the_same_rows_on_duckdb(tmp_path: Path) -> None:
    """The DuckDB form of the unique_combination test (sorted hashes first,
    then the columns of the rows whose hash repeats) fails on exactly the
    combinations the plain group by does: repeats, repeats holding nulls, and
    none for distinct rows."""
    import duckdb

    from journey.warehouse import run_dbt

    def compiled(form: str) -> str:
        result = run_dbt(
            Workspace(landing=tmp_path, duckdb=tmp_path / "w.duckdb"),
            ["compile", "--inline",
             f"{{{{ customer_journey.{form}__unique_combination_sql('t', ['a', 'b']) }}}}"],
        )  # fmt: skip
        assert result.success
        return result.result.results[0].node.compiled_code

    con = duckdb.connect()
    con.execute(
        "create table t as select (i % 50000)::varchar as a, (i // 50000)::varchar as b"
        " from range(200000) as r(i)"
    )
    queries = {form: compiled(form) + " order by all" for form in ("default", "duckdb")}
    assert "lead(" in queries["duckdb"] and "lead(" not in queries["default"]
    assert con.execute(queries["duckdb"]).fetchall() == []
    con.execute("insert into t values ('7', '0'), ('7', '0'), (null, '1'), (null, '1'), (null, null)")
    found = con.execute(queries["duckdb"]).fetchall()
    assert found == con.execute(queries["default"]).fetchall()
    assert found == [("7", "0", 3), (None, "1", 2)]
