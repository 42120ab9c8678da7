-- Explain one person: every identifier and every edge (with its evidence)
-- that joined them. dbt compile -s explain_person --vars '{person_id: ...}'
-- then run the compiled SQL against the warehouse.
with

identifiers as (
    select
        'identifier' as row_kind,
        identifier_type as type_a,
        identifier_hash as hash_a,
        cast(null as varchar) as type_b,
        cast(null as varchar) as hash_b,
        link_status as status,
        rejected_reason,
        sources,
        records,
        cast(null as varchar) as example_record_id,
        first_seen_at,
        last_seen_at
    from {{ ref('bridge_person_identifiers') }}
    where person_id = '{{ var("person_id", "") }}'
),

edges as (
    select
        'edge' as row_kind,
        identifier_type_a,
        identifier_hash_a,
        identifier_type_b,
        identifier_hash_b,
        edge_status,
        rejected_reason,
        sources,
        records,
        example_record_id,
        first_seen_at,
        last_seen_at
    from {{ ref('rpt_person_identity_evidence') }}
    where person_id = '{{ var("person_id", "") }}'
),

final as (
    select * from identifiers
    union all
    select * from edges
)

select * from final
order by row_kind desc, first_seen_at asc
