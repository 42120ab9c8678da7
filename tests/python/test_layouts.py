"""The vendors' buckets copied as they are: the same simulated events laid out
as the contract's date= partitions, and as the vendors write them (web/ as
Segment's S3 layout, app/ as RudderStack's, in one zone), give the same marts."""

from __future__ import annotations

import filecmp
import math
import shutil

import duckdb
import pytest
from conftest import SALT, _build
from helpers import MART_MARKERS

from journey.serving import connect_build
from journey.simulate import SimConfig, simulate
from journey.warehouse import Workspace


def _table(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple]:
    """A mart's rows, but the file a row came from: the layouts name the event
    files differently (a quarantined row's id hashes its file's path below the
    landing root; row hashes of CSV rows do too, and must agree), and the
    build markers, which two builds do not share."""
    columns = [
        c for (c,) in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' "
            "and table_name = ? and column_name not in ('source_file', 'quarantined_row_id') "
            "order by column_index",
            [name],
        ).fetchall()
        if c not in MART_MARKERS
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
    """Two builds: the contract layout, and a vendor zone with web/ from the
    simulator's Segment layout and app/ from its RudderStack layout (the other
    sources are byte for byte the same in every layout)."""
    sims = {}
    for layout in ("contract", "segment", "rudderstack"):
        sims[layout] = tmp_path_factory.mktemp(layout) / "landing"
        simulate(SimConfig(persons=800, days=20, seed=5, layout=layout), sims[layout].parent, progress=False)
    vendor = tmp_path_factory.mktemp("vendor") / "landing"
    shutil.copytree(sims["segment"], vendor, ignore=lambda folder, names: ["app"] if folder == str(sims["segment"]) else [])
    shutil.copytree(sims["rudderstack"] / "app", vendor / "app")
    csv_files = [p.relative_to(vendor) for p in vendor.rglob("*.csv")]
    assert csv_files and all(filecmp.cmp(vendor / f, sims["contract"] / f, shallow=False) for f in csv_files)
    out = {}
    for layout, landing in (("contract", sims["contract"]), ("vendor", vendor)):
        workspace = Workspace(landing=landing, duckdb=landing.parent / "w.duckdb", salt=SALT)
        _build(workspace)
        out[layout] = connect_build(workspace.duckdb)
    yield out
    for con in out.values():
        con.close()


def _files(con: duckdb.DuckDBPyConnection, model: str) -> set[str]:
    return {f for (f,) in con.execute(f"select distinct source_file from staging.{model}").fetchall()}


def test_the_vendor_layouts_are_what_the_vendors_write(
    layouts: dict[str, duckdb.DuckDBPyConnection],
) -> None:
    contract, vendor = layouts["contract"], layouts["vendor"]
    assert all("/date=" in f for f in _files(contract, "base_web__events") | _files(contract, "base_app__events"))
    segment, rudder = _files(vendor, "base_web__events"), _files(vendor, "base_app__events")
    assert all("/web/exports/segment-logs/" in f and f.endswith(".gz") for f in segment)
    assert all("/app/rudder-logs/" in f and f.endswith(".json.gz") for f in rudder)
    assert len(segment) == len(_files(contract, "base_web__events")) > 10
    assert len(rudder) == len(_files(contract, "base_app__events")) > 10


def test_every_layout_gives_the_same_marts(layouts: dict[str, duckdb.DuckDBPyConnection]) -> None:
    contract, vendor = layouts["contract"], layouts["vendor"]
    marts = [t for (t,) in contract.execute(
        "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
    ).fetchall()]  # fmt: skip
    assert len(marts) >= 15
    assert [mart for mart in marts if not _same(_table(contract, mart), _table(vendor, mart))] == []
    # the zones sit in different folders: CSV rows keep their keys, and the
    # comparison covers quarantined rows of events and of till files
    quarantined = "select source_name, count(*) from marts.rpt_quarantined_rows group by 1"
    assert {"web", "pos"} <= dict(contract.execute(quarantined).fetchall()).keys()
    # nothing was quarantined for its path, and the received days are equal
    for con in layouts.values():
        assert con.execute(
            "select count(*) from marts.rpt_quarantined_rows where quarantine_reason like 'file outside%'"
        ).fetchone()[0] == 0
    for model in ("stg_web__events", "stg_app__events"):
        days = "select partition_date, count(*) from staging." + model + " group by 1 order by 1"
        assert contract.execute(days).fetchall() == vendor.execute(days).fetchall()


def test_vendor_fields_are_read(layouts: dict[str, duckdb.DuckDBPyConnection]) -> None:
    """RudderStack's request_ip is hashed like context.ip; Segment's products[]
    is staged on Order Completed."""
    ips = "select count(*), count(distinct ip_hash) from staging.stg_app__events where ip_hash is not null"
    assert layouts["contract"].execute(ips).fetchone() == layouts["vendor"].execute(ips).fetchone()
    assert layouts["contract"].execute(ips).fetchone()[0] > 100
    orders = layouts["vendor"].execute(
        "select count(*), count(order_products), "
        "count(*) filter (where order_products[1].quantity >= 1) "
        "from staging.stg_web__events where event_name = 'Order Completed'"
    ).fetchone()
    assert orders[0] > 10 and orders[0] == orders[1] == orders[2]
