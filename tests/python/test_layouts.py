"""The vendors' buckets copied as they are: the same simulated events laid out
as the contract's date= partitions, Segment's S3 layout and RudderStack's
give the same marts."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest
from conftest import SALT, _build

from journey.simulate import SimConfig, simulate
from journey.warehouse import Workspace

LAYOUTS = ("contract", "segment", "rudderstack")


def _table(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    columns = [
        c for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' "
            "and table_name = ? and column_name <> 'source_file' order by column_index",
            [name],
        ).fetchall()
    ]  # fmt: skip
    select = ", ".join(f'"{c}"' for c in columns)
    return con.execute(f"select {select} from marts.{name} order by all").fetchall()


def _same(a: list[tuple], b: list[tuple]) -> bool:
    if len(a) != len(b):
        return False
    for row_a, row_b in zip(a, b):
        for x, y in zip(row_a, row_b):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif x != y:
                return False
    return True


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, duckdb.DuckDBPyConnection]:
    out = {}
    for layout in LAYOUTS:
        root = tmp_path_factory.mktemp(layout)
        simulate(SimConfig(persons=800, days=20, seed=5, layout=layout), root, progress=False)
        workspace = Workspace(landing=root / "landing", duckdb=root / "w.duckdb", salt=SALT)
        _build(workspace)
        out[layout] = duckdb.connect(str(workspace.duckdb), read_only=True)
    yield out
    for con in out.values():
        con.close()


def test_the_vendor_layouts_are_what_the_vendors_write(
    layouts: dict[str, duckdb.DuckDBPyConnection],
) -> None:
    files = {
        layout: {
            f for (f,) in con.execute(
                "select distinct source_file from staging.base_web__events "
                "union select distinct source_file from staging.base_app__events"
            ).fetchall()
        }
        for layout, con in layouts.items()
    }  # fmt: skip
    assert all("/date=" in f for f in files["contract"])
    assert all("/web/exports/segment-logs/" in f or "/app/segment-logs/" in f for f in files["segment"])
    assert all("/rudder-logs/" in f and f.endswith(".json.gz") for f in files["rudderstack"])
    assert len(files["contract"]) == len(files["segment"]) == len(files["rudderstack"]) > 20


def test_every_layout_gives_the_same_marts(layouts: dict[str, duckdb.DuckDBPyConnection]) -> None:
    contract = layouts["contract"]
    marts = [t for (t,) in contract.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
    ).fetchall()]  # fmt: skip
    assert len(marts) >= 15
    different = []
    for layout in ("segment", "rudderstack"):
        for mart in marts:
            if not _same(_table(contract, mart), _table(layouts[layout], mart)):
                different.append(f"{layout}: {mart}")
    assert different == []
    # nothing was quarantined for its path, and the received days are equal
    for con in layouts.values():
        assert con.execute(
            "select count(*) from marts.rpt_quarantined_rows where quarantine_reason like 'file outside%'"
        ).fetchone()[0] == 0
    days = {
        layout: con.execute(
            "select partition_date, count(*) from staging.stg_app__events group by 1 order by 1"
        ).fetchall()
        for layout, con in layouts.items()
    }
    assert days["contract"] == days["segment"] == days["rudderstack"]


def test_vendor_fields_are_read(layouts: dict[str, duckdb.DuckDBPyConnection]) -> None:
    """RudderStack's request_ip is hashed like context.ip; Segment's products[]
    is staged on Order Completed."""
    ips = {
        layout: con.execute(
            "select count(*), count(distinct ip_hash) from staging.stg_web__events where ip_hash is not null"
        ).fetchone()
        for layout, con in layouts.items()
    }
    assert ips["contract"] == ips["rudderstack"] and ips["contract"][0] > 100
    orders = layouts["segment"].execute(
        "select count(*), count(order_products), "
        "count(*) filter (where order_products[1].quantity >= 1) "
        "from staging.stg_web__events where event_name = 'Order Completed'"
    ).fetchone()
    assert orders[0] > 10 and orders[0] == orders[1] == orders[2]
