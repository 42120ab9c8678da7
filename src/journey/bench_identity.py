"""`journey bench identity`: the project's SQL connected components against scipy and networkx.

One edge list, shaped like an identity graph (many small people, a few long
chains), is written once; each method then runs in its own process so that
its time and peak memory are its own. Times cover the component computation
only (inputs are loaded first); the SQL time is the whole `dbt run-operation`,
so dbt's start-up is reported on its own line to subtract.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from journey.bench import write_report


def make_graph(n_edges: int, seed: int) -> tuple[np.ndarray, int]:
    """An identity-like graph with about n_edges edges: clusters of geometric size
    (mean 5) joined by random spanning trees plus extra edges, one chain of a
    tenth of the nodes (the worst case for label propagation), ids shuffled."""
    rng = np.random.default_rng(seed)
    n_nodes = max(int(n_edges * 0.8), 10)
    chain = n_nodes // 10
    sizes = rng.geometric(0.2, size=n_nodes)
    sizes = sizes[np.cumsum(sizes) <= n_nodes - chain]
    cluster_nodes = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    rank = np.arange(cluster_nodes) - starts
    child = np.flatnonzero(rank > 0)
    parent = starts[child] + np.floor(rng.random(len(child)) * rank[child]).astype(np.int64)
    tree = np.column_stack([child, parent])
    chain_ids = np.arange(cluster_nodes, cluster_nodes + chain)
    chain_edges = np.column_stack([chain_ids[:-1], chain_ids[1:]])
    extra_n = max(n_edges - len(tree) - len(chain_edges), 0)
    big = np.flatnonzero(np.repeat(sizes, sizes) > 2)
    pick = big[rng.integers(0, len(big), extra_n)] if len(big) else np.zeros(0, np.int64)
    other = starts[pick] + np.floor(rng.random(len(pick)) * np.repeat(sizes, sizes)[pick])
    extra = np.column_stack([pick, other.astype(np.int64)])
    edges = np.concatenate([tree, chain_edges, extra]).astype(np.int64)
    total = cluster_nodes + chain
    perm = rng.permutation(total)
    return perm[edges], total


def _load(parquet: Path) -> tuple[np.ndarray, np.ndarray, int]:
    table = pq.read_table(parquet)
    a = table.column("node_a").to_numpy()
    b = table.column("node_b").to_numpy()
    n = int(table.schema.metadata[b"n_nodes"])
    return a, b, n


def run_method(method: str, parquet: Path, workdir: Path) -> dict[str, float]:
    """Compute components with one method; returns seconds and component count."""
    a, b, n = _load(parquet)
    if method == "scipy":
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        start = time.perf_counter()
        graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
        count, _ = connected_components(graph, directed=False)
        return {"seconds": time.perf_counter() - start, "components": count}
    if method == "networkx":
        import networkx as nx

        start = time.perf_counter()
        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(zip(a.tolist(), b.tolist()))
        count = nx.number_connected_components(graph)
        return {"seconds": time.perf_counter() - start, "components": count}
    from journey.serving import build_path
    from journey.warehouse import Workspace, run_dbt

    # one file name for both dbt runs, so that the profile is unchanged and
    # dbt parses the project partially, as it does for a user's second run
    # a run-operation publishes nothing: it reads and writes dbt's build database
    db = workdir / "cc.duckdb"
    build = build_path(db)
    build.unlink(missing_ok=True)
    con = duckdb.connect(str(build))
    con.execute(f"create table cc_edges as select node_a, node_b from '{parquet}'")
    con.execute(f"create table cc_nodes as select range as node_id from range({n})")
    con.close()
    operation = "noop" if method == "dbt-startup" else "run_connected_components"
    args = ["run-operation", operation]
    if method == "sql":
        args += ["--args", "{edges_table: cc_edges, nodes_table: cc_nodes, output_table: cc_out}"]
    start = time.perf_counter()
    result = run_dbt(Workspace(landing=workdir, duckdb=db, target=workdir / "target"), args)
    seconds = time.perf_counter() - start
    if not result.success:
        raise RuntimeError(f"dbt {operation} failed: {result.exception}")
    if method == "dbt-startup":
        return {"seconds": seconds, "components": -1}
    con = duckdb.connect(str(build), read_only=True)
    count, rounds = con.execute(
        "select count(distinct component_id), max(rounds) from cc_out"
    ).fetchone()
    return {"seconds": seconds, "components": count, "rounds": rounds}


def _measure(method: str, parquet: Path, workdir: Path) -> tuple[dict, float]:
    argv = [sys.executable, "-m", "journey.bench_identity", method, str(parquet), str(workdir)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read().decode() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"{method} failed:\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def run_identity_bench(
    n_edges: int, seed: int, workdir: Path, repeat: int, nx_max: int, report: Path | None = None
) -> int:
    """Measure every method and print the report; write it to `report` too (Markdown)."""
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    edges, n_nodes = make_graph(n_edges, seed)
    parquet = workdir / "edges.parquet"
    table = pa.table({"node_a": edges[:, 0], "node_b": edges[:, 1]})
    pq.write_table(table.replace_schema_metadata({"n_nodes": str(n_nodes)}), parquet)
    methods = ["dbt-startup", "sql", "scipy"]
    if len(edges) <= nx_max:
        methods.append("networkx")
    results: dict[str, list[tuple[dict, float]]] = {m: [] for m in methods}
    for i in range(repeat):
        for method in methods:
            print(f"run {i + 1}/{repeat}: {method}", flush=True)
            results[method].append(_measure(method, parquet, workdir))
    med = {
        m: (
            statistics.median(r[0]["seconds"] for r in rs),
            statistics.median(r[1] for r in rs),
            rs[0][0],
        )
        for m, rs in results.items()
    }
    counts = {m: med[m][2]["components"] for m in methods if m != "dbt-startup"}
    scipy_s = med["scipy"][0]
    lines = [
        f"# Connected components: {len(edges):,} edges",
        "",
        f"Written by `journey bench identity --edges {n_edges} --seed {seed} --repeat {repeat}`"
        f" on {time.strftime('%Y-%m-%d')}; medians of {repeat} runs, each method in its own"
        " process after loading the edges; 2 DuckDB threads, scipy and networkx on one core.",
        "",
        f"edges={len(edges):,} nodes={n_nodes:,} components={counts['scipy']:,}",
        "",
        "| method | seconds | peak MiB | vs scipy |",
        "|---|---:|---:|---:|",
    ]
    for m in methods:
        seconds, mib, first = med[m]
        label = m if m != "sql" else f"sql (dbt run-operation, {first['rounds']} rounds)"
        ratio = "" if m == "dbt-startup" else f"{seconds / scipy_s:.1f}x"
        lines.append(f"| {label} | {seconds:.2f} | {mib:.0f} | {ratio} |")
    if "networkx" not in methods:
        lines.append(f"| networkx | skipped above {nx_max:,} edges | | |")
    sql_only = med["sql"][0] - med["dbt-startup"][0]
    lines += ["", f"sql without dbt start-up: {sql_only:.2f} s, {sql_only / scipy_s:.1f}x scipy"]
    mismatch = len(set(counts.values())) != 1
    lines.append(
        f"MISMATCH in component counts: {counts}"
        if mismatch
        else "all methods found the same number of components"
    )
    print()
    write_report(lines, report)
    return 1 if mismatch else 0


if __name__ == "__main__":
    print(json.dumps(run_method(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))))
