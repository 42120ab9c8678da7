"""The identity graph against the simulator's truth, and its guardrails."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pytest
from conftest import SALT
from helpers import load_truth
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from journey.serving import build_cursor, build_path
from journey.warehouse import Workspace, run_dbt


@pytest.fixture(scope="module")
def scored(truth_warehouse: duckdb.DuckDBPyConnection, sim_dir: Path) -> duckdb.DuckDBPyConnection:
    """Truth identifiers hashed like the warehouse (helpers.load_truth), joined
    to the bridge."""
    con = build_cursor(truth_warehouse)
    load_truth(con, sim_dir, SALT)
    con.execute(
        """
        create temp table scored as
        select t.*, b.person_id as predicted, b.link_status, b.rejected_reason
        from truth_ids as t
        left join marts.bridge_person_identifiers as b
            using (identifier_type, identifier_hash)
        """
    )
    return con


def _pairs(con: duckdb.DuckDBPyConnection, where: str, by: str) -> int:
    return int(
        con.execute(
            f"select coalesce(sum(n * (n - 1) / 2), 0) from "
            f"(select count(*) as n from scored where {where} group by {by})"
        ).fetchone()[0]
    )


def test_pairwise_precision_and_recall(scored: duckdb.DuckDBPyConnection) -> None:
    kept = "is_resolvable and person_id not in (select person_id from erased_people)"
    predicted = f"{kept} and predicted is not null"
    true_pairs = _pairs(scored, kept, "evidence_group")
    found_pairs = _pairs(scored, predicted, "evidence_group, predicted")
    predicted_pairs = _pairs(scored, predicted, "predicted")
    correct_pairs = _pairs(scored, predicted, "predicted, person_id")
    precision = correct_pairs / predicted_pairs
    recall = found_pairs / true_pairs
    print(f"pairwise precision {precision:.6f} recall {recall:.6f} over {true_pairs} true pairs")
    assert true_pairs > 10_000
    assert precision >= 0.999
    assert recall >= 0.99


def test_no_person_mixes_two_true_people(scored: duckdb.DuckDBPyConnection) -> None:
    mixed = scored.execute(
        "select count(*) from (select predicted from scored where predicted is not null "
        "and not (is_junk or is_shared or is_test) group by predicted "
        "having count(distinct person_id) > 1)"
    ).fetchone()[0]
    assert mixed == 0


def test_shared_tablet_does_not_merge_its_two_account_holders(
    scored: duckdb.DuckDBPyConnection, sim_dir: Path
) -> None:
    tablets = scored.execute(
        "select identifier_value, link_status, rejected_reason from scored "
        "where is_shared and identifier_type = 'anonymous_id'"
    ).fetchall()
    assert tablets
    web = sim_dir / "landing" / "web"
    for cookie, status, reason in tablets:
        assert status == "rejected" and reason.startswith("shared: seen with 2 account ids")
        holders = scored.execute(
            f"""
            with events as (
                select case when json_valid(raw) then raw end as line
                from read_csv('{web}/*/*.jsonl.gz', columns = {{'raw': 'VARCHAR'}},
                    header = false, delim = chr(1), quote = '', escape = '',
                    auto_detect = false)
            )
            select distinct (line ->> '$.userId') from events
            where (line ->> '$.anonymousId') = ? and (line ->> '$.userId') like 'u-%'
            """,
            [cookie],
        ).fetchall()
        assert len(holders) == 2
        persons = {
            scored.execute(
                "select predicted from scored where identifier_type = 'user_id' "
                "and identifier_value = ?",
                [user],
            ).fetchone()[0]
            for (user,) in holders
        }
        assert len(persons) == 2 and None not in persons


def test_employee_loyalty_card_is_rejected(scored: duckdb.DuckDBPyConnection) -> None:
    rows = scored.execute(
        "select link_status, rejected_reason from scored "
        "where is_shared and identifier_type = 'loyalty_card'"
    ).fetchall()
    assert len(rows) == 1
    status, reason = rows[0]
    # the cashier's shifts: many sales a day, and strangers' receipt emails
    assert status == "rejected" and reason.startswith("used by many people: ")
    assert "records on" in reason and "other identifiers" in reason


def test_regulars_cards_are_kept_and_every_purchase_is_theirs(
    scored: duckdb.DuckDBPyConnection,
) -> None:
    """Store regulars buy 50 to 150 times in the period, once or twice a day:
    none of their cards is rejected, and every one of their store sales is
    tied to the person who owns the card."""
    con = scored
    cards = con.execute(
        """
        select t.person_id, b.link_status, b.person_id as predicted,
            (select count(*) from truth_conversions as c
             where c.person_id = t.person_id and c.sales_channel = 'store'
                and not c.is_return) as purchases
        from truth_ids as t
        inner join truth_persons as p using (person_id)
        left join marts.bridge_person_identifiers as b using (identifier_type, identifier_hash)
        where p.persona = 'regular' and t.identifier_type = 'loyalty_card'
            and t.person_id not in (select person_id from erased_people)
        """
    ).fetchall()
    print(f"regulars: {len(cards)}, purchases {min(c[3] for c in cards)} to {max(c[3] for c in cards)}")
    assert len(cards) >= 10
    assert all(purchases >= 50 for *_, purchases in cards)
    assert {status for _, status, _, _ in cards} == {"linked"}
    sales = con.execute(
        """
        with card_owner as (
            select t.person_id as truth_person, b.person_id
            from truth_ids as t
            inner join truth_persons as p using (person_id)
            inner join marts.bridge_person_identifiers as b using (identifier_type, identifier_hash)
            where p.persona = 'regular' and t.identifier_type = 'loyalty_card'
                and t.person_id not in (select person_id from erased_people)
        )
        select count(*), count(*) filter (where f.person_id = o.person_id)
        from truth_conversions as c
        inner join card_owner as o on o.truth_person = c.person_id
        left join marts.fct_conversions as f
            on f.sales_channel = 'store' and f.order_id = c.order_id
        where c.sales_channel = 'store' and not c.is_quarantined
        """
    ).fetchone()
    print(f"regulars' store sales: {sales[0]}, tied to them: {sales[1]}")
    assert sales[0] >= 50 * len(cards)
    assert sales[1] == sales[0]


def test_junk_and_test_accounts_are_rejected(scored: duckdb.DuckDBPyConnection) -> None:
    statuses = scored.execute(
        "select distinct link_status from scored where (is_junk or is_test) "
        "and link_status is not null"
    ).fetchall()
    assert statuses == [("rejected",)]


def test_erased_people_vanish_everywhere(
    scored: duckdb.DuckDBPyConnection, truth_warehouse: duckdb.DuckDBPyConnection
) -> None:
    erased = scored.execute(
        "select count(*) from erased_people"
    ).fetchone()[0]
    assert erased > 0
    tables = truth_warehouse.execute(
        """
        select schema_name, table_name, column_name from duckdb_columns()
        where schema_name in ('staging', 'intermediate', 'marts') and data_type = 'VARCHAR'
            and table_name not in ('int_identity__erased_identifiers', 'int_identity__erasure_requests')
        """
    ).fetchall()
    found = []
    for schema, table, column in tables:
        n = scored.execute(
            f'select count(*) from "{schema}"."{table}" '
            f'where "{column}" in (select identifier_hash from erased_ids)'
        ).fetchone()[0]
        if n:
            found.append(f"{schema}.{table}.{column}: {n}")
    assert not found, found


def _components_run(tmp: Path, edges: np.ndarray, n_nodes: int) -> tuple[np.ndarray, int]:
    """Run the project's SQL components macro on an edge list; labels and rounds."""
    # a run-operation publishes nothing: it works in dbt's build database
    db = tmp / "cc.duckdb"
    con = duckdb.connect(str(build_path(db)))
    con.register("e", {"node_a": edges[:, 0], "node_b": edges[:, 1]})
    con.execute("create table cc_edges as select * from e")
    con.execute(f"create table cc_nodes as select range as node_id from range({n_nodes})")
    con.close()
    result = run_dbt(
        Workspace(landing=tmp, duckdb=db),
        ["run-operation", "run_connected_components", "--args",
         "{edges_table: cc_edges, nodes_table: cc_nodes, output_table: cc_out}"],
    )  # fmt: skip
    assert result.success
    con = duckdb.connect(str(build_path(db)), read_only=True)
    rows = con.execute("select node_id, component_id, rounds from cc_out order by 1").fetchnumpy()
    con.close()
    return rows["component_id"], int(rows["rounds"].max())


def test_chain_of_1000_identifiers_converges_in_few_rounds(tmp_path: Path) -> None:
    n = 1000
    chain = np.column_stack([np.arange(n - 1), np.arange(1, n)])
    # shuffle node numbers so the chain is not already sorted by id
    perm = np.random.default_rng(1).permutation(n)
    labels, rounds = _components_run(tmp_path, perm[chain], n)
    assert len(set(labels.tolist())) == 1
    print(f"chain of {n}: {rounds} rounds")
    assert rounds <= 2 * math.ceil(math.log2(n)) + 2  # one hop per round would take 999


def test_components_match_scipy_on_a_random_graph(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    n = 5000
    edges = rng.integers(0, n, size=(3500, 2))
    labels, _ = _components_run(tmp_path, edges, n)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    count, expected = connected_components(graph, directed=False)
    # same partition: a bijection between the two labelings
    pairs = set(zip(labels.tolist(), expected.tolist()))
    assert len(set(labels.tolist())) == count == len(pairs)
    # each component is labelled with its smallest node id
    smallest = np.full(count, n)
    np.minimum.at(smallest, expected, np.arange(n))
    assert (labels == smallest[expected]).all()
