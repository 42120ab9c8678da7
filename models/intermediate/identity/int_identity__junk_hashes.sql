-- The junk_identifiers seed hashed like the staged identifiers, one row per
-- identifier type and junk value ('*' rows apply to every type), so that junk
-- is recognised hash to hash.
with

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

junk_values as (
    select * from {{ ref('junk_identifiers') }}
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
