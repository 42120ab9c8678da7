"""No relation of the warehouse holds raw personal data: values are scanned, not names."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from journey.serving import build_cursor

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
# an IPv4 address not part of a version string such as Chrome/140.0.0.0
IPV4 = r"(^|[^0-9./A-Za-z])([0-9]{1,3}\.){3}[0-9]{1,3}($|[^0-9.])"


def _text_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """Every text column of the build file and of the next served file."""
    return con.execute(
        """
        select c.database_name, c.schema_name, c.table_name, c.column_name
        from duckdb_columns() as c
        where c.database_name in (current_database(), 'journey_served') and c.data_type = 'VARCHAR'
          and c.schema_name not in ('information_schema', 'pg_catalog')
        order by 1, 2, 3, 4
        """
    ).fetchall()


@pytest.fixture(scope="module")
def raw_values(sim_dir: Path) -> duckdb.DuckDBPyConnection:
    """Every raw identifier, email, phone (as typed and E.164) and IP of the landing zone."""
    con = duckdb.connect()
    landing = sim_dir / "landing"
    truth = sim_dir / "truth" / "identifiers.parquet"
    lines = (
        f"read_csv('{landing}/*/*/*.jsonl.gz', columns = {{'line': 'VARCHAR'}}, header = false,"
        " delim = chr(1), quote = '', escape = '', auto_detect = false)"
    )
    con.execute(
        f"""
        create table raw_values as
        select distinct value from (
            select identifier_value as value from '{truth}' where not (is_junk or is_test)
            union all
            select trim(v) from (
                select unnest([line ->> '$.context.ip', line ->> '$.traits.email',
                    line ->> '$.traits.phone']) as v
                from {lines} where json_valid(line)
            )
            union all
            select trim(unnest([email, phone, first_name || ' ' || last_name]))
            from read_csv('{landing}/crm/contacts/*.csv', all_varchar = true)
            union all
            select trim(receipt_email)
            from read_csv('{landing}/pos/transactions/*.csv', all_varchar = true)
        ) where value is not null and length(value) >= 5
        """
    )
    return con


def test_no_raw_personal_value_anywhere(
    warehouse: duckdb.DuckDBPyConnection, raw_values: duckdb.DuckDBPyConnection
) -> None:
    values = raw_values.execute("select value from raw_values").fetch_arrow_table()
    assert values.num_rows > 1000
    scan = build_cursor(warehouse)
    scan.register("pii", values)
    offenders = []
    columns = _text_columns(warehouse)
    assert {database for database, *_ in columns} >= {"journey_served"}
    for database, schema, table, column in columns:
        rel = f'"{database}"."{schema}"."{table}"'
        col = f'"{column}"'
        found = scan.execute(
            f"""
            select count(*) from {rel}
            where {col} in (select value from pii)
               or regexp_matches({col}, '{EMAIL}')
               or regexp_matches({col}, '{IPV4}')
            """
        ).fetchone()[0]
        if found:
            offenders.append(f"{database}.{schema}.{table}.{column}: {found} rows")
    assert not offenders, "raw personal data found:\n" + "\n".join(offenders)


def test_scan_would_catch_a_raw_email(raw_values: duckdb.DuckDBPyConnection) -> None:
    """The scan's patterns are not vacuous: a raw value from the landing zone matches."""
    sample = raw_values.execute(
        f"select value from raw_values where regexp_matches(value, '{EMAIL}') limit 1"
    ).fetchone()
    assert sample is not None
    ip = raw_values.execute(
        f"select value from raw_values where regexp_matches(value, '{IPV4}') limit 1"
    ).fetchone()
    assert ip is not None
