"""SQL macros that turn the simulator's integer keys into realistic identifier strings.

Every identifier is derived from a key and the seed alone, so the landing zone
and the truth tables spell the same value the same way without sharing state.
"""

from __future__ import annotations

import duckdb

FIRST_NAMES = (
    "Sam", "Alex", "Camille", "Lea", "Hugo", "Emma", "Louis", "Chloe", "Jules",
    "Ines", "Noah", "Mia", "Lucas", "Zoe", "Adam", "Nina", "Theo", "Lina",
    "Oscar", "Jade",
)  # fmt: skip
LAST_NAMES = (
    "Weber", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard",
    "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre",
    "Michel", "Garcia", "Smith", "Jones", "Muller", "Schmidt",
)  # fmt: skip
DOMAINS = ("example.net", "example.org", "example.com", "example.co.uk")


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def install_macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Create the identifier macros on a connection."""
    s = f"'{seed}'"
    con.execute(
        f"""
        create or replace macro hx(kind, k) as md5({s} || ':' || kind || ':' || k::varchar);
        create or replace macro uuid_of(kind, k) as (
            substr(hx(kind, k), 1, 8) || '-' || substr(hx(kind, k), 9, 4) || '-4'
            || substr(hx(kind, k), 14, 3) || '-a' || substr(hx(kind, k), 18, 3)
            || '-' || substr(hx(kind, k), 21, 12)
        );
        create or replace macro first_name(p) as
            {_sql_list(FIRST_NAMES)}[1 + (hash(p, 'f') % {len(FIRST_NAMES)})::int];
        create or replace macro last_name(p) as
            {_sql_list(LAST_NAMES)}[1 + (hash(p, 'l') % {len(LAST_NAMES)})::int];
        create or replace macro person_key(p) as 'P' || lpad(p::varchar, 7, '0');
        create or replace macro user_id(p, is_qa, qa_rank) as case
            when is_qa then 'test-account-qa' || qa_rank::varchar
            else 'u-' || (10000 + p)::varchar end;
        create or replace macro email_of(p, country) as
            lower(first_name(p)) || '.' || lower(last_name(p)) || p::varchar || '@'
            || case when country = 2 then 'example.co.uk'
                else {_sql_list(DOMAINS[:3])}[1 + (p % 3)::int] end;
        create or replace macro national_digits(p, n) as
            lpad(((p * 7919 + 1234567) % (10 ** n)::bigint)::varchar, n, '0');
        create or replace macro phone_e164(p, country) as case country
            when 0 then '+336' || national_digits(p, 8)
            when 1 then '+49151' || national_digits(p, 8)
            when 2 then '+447' || national_digits(p, 9)
            else '+1415' || national_digits(p, 7) end;
        -- how people type their number: French ones mostly in national format
        create or replace macro phone_as_typed(p, country, variant) as case
            when country = 0 then case variant % 5
                when 0 then '+33 6 ' || regexp_replace(national_digits(p, 8),
                    '(..)(..)(..)(..)', '\\1 \\2 \\3 \\4')
                when 1 then '06 ' || regexp_replace(national_digits(p, 8),
                    '(..)(..)(..)(..)', '\\1 \\2 \\3 \\4')
                when 2 then '06' || national_digits(p, 8)
                when 3 then '06.' || regexp_replace(national_digits(p, 8),
                    '(..)(..)(..)(..)', '\\1.\\2.\\3.\\4')
                else '00336' || national_digits(p, 8) end
            when variant % 2 = 0 then phone_e164(p, country)
            else '00' || substr(phone_e164(p, country), 2, 2) || ' '
                || substr(phone_e164(p, country), 4) end;
        create or replace macro email_as_typed(p, country, variant) as case variant % 4
            when 0 then email_of(p, country)
            when 1 then upper(email_of(p, country)[1]) || email_of(p, country)[2:]
            when 2 then '  ' || upper(email_of(p, country))
            else email_of(p, country) || ' ' end;
        create or replace macro card_of(p) as 'LC-' || (100000 + p)::varchar;
        create or replace macro contact_of(c) as 'C-' || (10000 + c)::varchar;
        create or replace macro esp_of(c) as substr(hx('esp', c), 1, 16);
        create or replace macro ip_of(p) as
            (20 + (p * 37) % 200)::varchar || '.' || ((p * 11) % 250)::varchar || '.'
            || (p % 250)::varchar || '.' || (1 + (p * 7) % 250)::varchar;
        """
    )
