"""Every raw row is accounted for: staged + duplicates + quarantined = rows in the files."""

from __future__ import annotations

import csv

from pathlib import Path

import duckdb
import pytest
from helpers import ENTITY_FILES, STAGING_MODEL, distinct_message_ids, raw_rows


@pytest.mark.parametrize("source,entity", sorted(ENTITY_FILES))
def test_rows_in_files_are_all_accounted_for(
    warehouse: duckdb.DuckDBPyConnection, sim_dir: Path, source: str, entity: str
) -> None:
    files_rows = raw_rows(sim_dir / "landing", source, entity)
    row = warehouse.execute(
        "select rows_in_files, staged_rows, duplicate_rows, quarantined_rows, erased_rows "
        "from marts.rpt_row_accounting where source_name = ? and entity = ?",
        [source, entity],
    ).fetchone()
    assert row is not None
    rows_in_files, staged, duplicates, quarantined, erased = row
    assert rows_in_files == files_rows
    assert staged + duplicates + quarantined + erased == files_rows
    model = STAGING_MODEL[(source, entity)]
    if entity in ("events", "email_events", "transactions"):
        # an erased person's events, email events and till transactions stay
        # in their staging models without identifiers, flagged (the rows a
        # daily build keeps: macro erase_in_staging); the other staging
        # models no longer hold them
        kept = warehouse.execute(
            f"select count(*) filter (where not is_erased), count(*) filter (where is_erased) "
            f"from staging.{model}"
        ).fetchone()
        assert kept == (staged, erased)
    else:
        assert warehouse.execute(f"select count(*) from staging.{model}").fetchone()[0] == staged
    listed = warehouse.execute(
        "select count(*) from marts.rpt_quarantined_rows where source_name = ? and entity = ?",
        [source, entity],
    ).fetchone()[0]
    assert listed == quarantined


@pytest.mark.parametrize("platform", ["web", "app"])
def test_events_are_deduplicated_on_message_id(
    warehouse: duckdb.DuckDBPyConnection, sim_dir: Path, platform: str
) -> None:
    files = sorted((sim_dir / "landing" / platform).glob("*/*.jsonl.gz"))
    staged = warehouse.execute(
        f"select count(*) from staging.stg_{platform}__events where not is_erased"
    ).fetchone()[0]
    duplicates, erased = warehouse.execute(
        "select duplicate_rows, erased_rows from marts.rpt_row_accounting where source_name = ?",
        [platform],
    ).fetchone()
    # an erased person's events lose their identifiers once the build passed
    # (flagged is_erased, counted as erased)
    assert erased > 0
    assert staged + erased == distinct_message_ids(files)
    assert duplicates > 0, "the simulator redelivers events; none were found"


def test_bad_store_rows_are_quarantined_exactly(
    warehouse: duckdb.DuckDBPyConnection, truth: duckdb.DuckDBPyConnection
) -> None:
    expected = truth.execute(
        "select count(*) from truth_conversions where sales_channel = 'store' and is_quarantined"
    ).fetchone()[0]
    reasons = dict(
        warehouse.execute(
            "select quarantine_reason, count(*) from marts.rpt_quarantined_rows "
            "where entity = 'transactions' group by 1"
        ).fetchall()
    )
    assert expected > 0
    assert sum(reasons.values()) == expected
    assert set(reasons) == {"unparseable occurred_at", "unparseable total_amount"}


def test_truncated_lines_are_quarantined_not_dropped(warehouse: duckdb.DuckDBPyConnection) -> None:
    invalid = warehouse.execute(
        "select count(*) from marts.rpt_quarantined_rows "
        "where quarantine_reason = 'line is not valid JSON'"
    ).fetchone()[0]
    assert invalid > 0


def test_latest_crm_snapshot_supersedes_earlier_ones(
    warehouse: duckdb.DuckDBPyConnection, sim_dir: Path
) -> None:
    snapshots = sorted((sim_dir / "landing" / "crm" / "contacts").glob("*.csv"))
    latest_rows = raw_rows(sim_dir / "landing", "crm", "contacts") - sum(
        sum(1 for _ in p.open()) - 1 for p in snapshots[:-1]
    )
    staged, latest = warehouse.execute(
        "select count(*), count(distinct snapshot_date) from staging.stg_crm__contacts"
    ).fetchone()
    with snapshots[-1].open(newline="") as handle:
        erased = sum(1 for row in csv.DictReader(handle) if row["erased_at"])
    erased_rows = warehouse.execute(
        "select erased_rows from marts.rpt_row_accounting where entity = 'contacts'"
    ).fetchone()[0]
    assert len(snapshots) > 1 and erased > 0
    assert staged + erased == latest_rows  # every contact is in the last full snapshot
    assert latest == 1
    # every usable row of an erased contact counts as erased, in every
    # snapshot that lists it (it was erased in the last one)
    assert erased_rows >= erased
