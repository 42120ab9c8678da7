"""Project structure, in the spirit of dbt-project-evaluator: layers read only
what they should, names and folders follow the conventions, every model has a
primary-key test."""

from __future__ import annotations

import re

from helpers import built_manifest
from journey.warehouse import Workspace

LAYER_PREFIXES = {
    "staging": ("base_", "stg_"),
    "intermediate": ("int_",),
    "marts": ("fct_", "dim_", "bridge_", "mart_", "rpt_", "map_"),
}


def _models(sim_build: tuple[Workspace, dict]) -> tuple[dict, dict]:
    manifest = built_manifest(sim_build[0])
    models = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "customer_journey"
    }
    return manifest, models


def _layer(node: dict) -> str:
    return node["original_file_path"].split("/")[1]


def test_layers_read_only_what_they_should(sim_build: tuple[Workspace, dict]) -> None:
    manifest, models = _models(sim_build)
    problems = []
    for node in models.values():
        layer, name = _layer(node), node["name"]
        parents = node["depends_on"]["nodes"]
        sources = [p for p in parents if p.startswith("source.")]
        parent_models = [models[p] for p in parents if p in models]
        if layer in ("intermediate", "marts") and sources:
            problems.append(f"{name} ({layer}) reads a source: {sources}")
        if name.startswith("base_"):
            # a base model reads sources, or the base models of its own source,
            # or the build's inventory of landing files (what an incremental
            # base model compares with the files it has read)
            own = re.match(r"base_([a-z]+)__", name).group(1)
            problems += [
                f"{name} reads the model {p['name']}"
                for p in parent_models
                if not p["name"].startswith(f"base_{own}__") and p["name"] != "base_landing__files"
            ]
        if name.startswith("stg_"):
            problems += [f"{name} reads staging model {p['name']}" for p in parent_models if p["name"].startswith("stg_")]
            if sources and any(p["name"].startswith("base_") for p in parent_models):
                problems.append(f"{name} reads both a source and a base model")
        if layer == "staging" and any(_layer(p) != "staging" for p in parent_models):
            problems.append(f"{name} (staging) reads a later layer")
        if layer == "intermediate":
            problems += [
                f"{name} (intermediate) reads base model {p['name']}"
                for p in parent_models
                if p["name"].startswith("base_")
            ]
            problems += [
                f"{name} (intermediate) reads mart {p['name']}: the DAG narrows towards the marts"
                for p in parent_models
                if _layer(p) == "marts"
            ]
    assert not problems, "\n".join(problems)


# The models that make the identity graph and its person ids; nothing outside
# the identity folders reads them except through int_identity__record_persons.
GRAPH_MODELS = {
    "int_identity__components",
    "int_identity__persons",
    "int_identity__erased_identifiers",
    "int_identity__erasure_requests",
    "bridge_person_identifiers",
}
# Readers of the erasure list outside the identity folders, and why: neither
# ties a record to a person.
ERASURE_READERS = {
    "int_sessions__events": "drops erased people's events before they form sessions (before any person exists)",
    "rpt_row_accounting": "counts the rows of erased people (erased_rows)",
}


def test_one_model_ties_records_to_persons(sim_build: tuple[Workspace, dict]) -> None:
    """Only the identity models read the graph, its persons or the erasure list: every
    other model gets its person_id from int_identity__record_persons (or from a model
    that did), so precedence and erasure are written once."""
    _, models = _models(sim_build)
    by_id = {uid: node for uid, node in models.items()}
    problems = []
    for node in models.values():
        folder = node["original_file_path"].split("/")[2]
        read = {by_id[p]["name"] for p in node["depends_on"]["nodes"] if p in by_id}
        if node["name"] in ERASURE_READERS:
            read -= {"int_identity__erased_identifiers"}
        if folder != "identity" and read & GRAPH_MODELS:
            problems.append(f"{node['name']} reads {sorted(read & GRAPH_MODELS)}")
    readers = sorted(
        node["name"]
        for node in models.values()
        if "int_identity__record_persons" in {by_id[p]["name"] for p in node["depends_on"]["nodes"] if p in by_id}
    )
    assert not problems, "\n".join(problems)
    assert {"int_sessions__stitched", "int_journeys__conversions", "int_journeys__touchpoints",
            "int_journeys__store_sales", "int_stages__promoters"} <= set(readers), readers  # fmt: skip


def test_names_and_folders_follow_the_conventions(sim_build: tuple[Workspace, dict]) -> None:
    _, models = _models(sim_build)
    problems = []
    for node in models.values():
        path, name = node["original_file_path"], node["name"]
        layer = _layer(node)
        if layer not in LAYER_PREFIXES:
            problems.append(f"{path}: not in staging/, intermediate/ or marts/")
            continue
        if not name.startswith(LAYER_PREFIXES[layer]):
            problems.append(f"{path}: a {layer} model must start with {LAYER_PREFIXES[layer]}")
        folder = path.split("/")[2]
        if layer == "staging":
            match = re.match(r"(base|stg)_([a-z]+)__[a-z_]+$", name)
            if not match or match.group(2) != folder:
                problems.append(f"{path}: staging models are <base|stg>_<source folder>__<entity>")
            if name.startswith("base_") != ("/base/" in path):
                problems.append(f"{path}: base models live in staging/<source>/base/")
        if layer == "intermediate":
            match = re.match(r"int_([a-z]+)__[a-z_]+$", name)
            if not match or match.group(1) != folder:
                problems.append(f"{path}: intermediate models are int_<folder>__<what>")
        if not re.match(r"^[a-z0-9_]+$", name):
            problems.append(f"{path}: model names are snake_case")
    assert not problems, "\n".join(problems)


def test_every_model_has_a_primary_key_test(sim_build: tuple[Workspace, dict]) -> None:
    manifest, models = _models(sim_build)
    keyed = {
        dep
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") in ("unique", "unique_combination")
        for dep in node["depends_on"]["nodes"]
    }
    # a model whose rows can be alike (a bag of lines read) says why in its meta
    bags = {uid for uid, node in models.items() if (node["config"].get("meta") or {}).get("no_unique_key")}
    # a filter view inherits the key of the one model it filters (meta subset_of)
    by_name = {node["name"]: uid for uid, node in models.items()}
    subsets = {}
    for uid, node in models.items():
        parent = (node["config"].get("meta") or {}).get("subset_of")
        if parent:
            assert node["config"]["materialized"] == "view", f"{node['name']}: subset_of is for filter views"
            assert by_name.get(parent) in node["depends_on"]["nodes"], f"{node['name']} does not read {parent}"
            subsets[uid] = by_name[parent]
    assert {models[uid]["name"] for uid in subsets} == {"int_identity__observations"}
    keyed |= {uid for uid, parent in subsets.items() if parent in keyed}
    # a view whose every row one later model copies has its key tested there
    # (meta keyed_in: that model, which must read it)
    copied = {}
    for uid, node in models.items():
        reader = (node["config"].get("meta") or {}).get("keyed_in")
        if reader:
            assert node["config"]["materialized"] == "view", f"{node['name']}: keyed_in is for views"
            assert uid in models[by_name[reader]]["depends_on"]["nodes"], f"{reader} does not read {node['name']}"
            copied[uid] = by_name[reader]
    assert {models[uid]["name"] for uid in copied} == {"int_attribution__data_driven_credits"}
    keyed |= {uid for uid, reader in copied.items() if reader in keyed}
    missing = sorted(node["name"] for uid, node in models.items() if uid not in keyed | bags)
    assert not missing, f"models without a unique / unique_combination test: {missing}"
    assert {models[uid]["name"] for uid in bags} == {"base_web__event_lines", "base_app__event_lines"}
    assert not bags & keyed, "a model with a unique key test does not need no_unique_key"


def test_every_mart_of_the_contract_is_enforced(sim_build: tuple[Workspace, dict]) -> None:
    from journey.simulate.config import project_root

    contract = (project_root().parent / "shared" / "CONTRACT.md").read_text()
    marts = re.findall(r"^\| `([a-z_]+)` \| one row", contract, flags=re.M)
    assert len(marts) >= 13
    _, models = _models(sim_build)
    by_name = {node["name"]: node for node in models.values()}
    problems = []
    for mart in marts:
        node = by_name.get(mart)
        if node is None:
            problems.append(f"{mart}: missing")
            continue
        if not node["config"].get("contract", {}).get("enforced"):
            problems.append(f"{mart}: contract not enforced")
        untyped = [c for c, col in node["columns"].items() if not col.get("data_type")]
        if untyped:
            problems.append(f"{mart}: columns without data_type: {untyped}")
    assert not problems, "\n".join(problems)
