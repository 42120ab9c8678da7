-- The junk_identifiers seed hashed like the staged identifiers, one row per
-- identifier type and junk value ('*' rows apply to every type), so that junk
-- is recognised hash to hash.
with

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

junk_values as (
    -- dbt's seed loader (agate) reads the text `null` as a null on every
    -- adapter but DuckDB's, which reads the CSV itself: on Spark the seed's
    -- `null` placeholder is a null, and a null here is that placeholder
    -- (no other row of the seed is empty)
    select
        identifier_type,
        coalesce(identifier_value, 'null') as identifier_value,
        reason
    from {{ ref('junk_identifiers') }}
),

final as (
    select
        identifier_types.identifier_type,
        {{ hash_identifier(
            'identifier_types.identifier_type',
            normalize_identifier('junk_values.identifier_value'),
            type_is_column=true
        ) }} as identifier_hash,
        min(junk_values.reason) as reason
    from junk_values
    inner join identifier_types
        on
            junk_values.identifier_type in (
                '*', identifier_types.identifier_type
            )
    group by 1, 2
)

select * from final
