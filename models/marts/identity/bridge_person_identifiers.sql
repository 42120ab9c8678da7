with

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

components as (
    select * from {{ ref('int_identity__components') }}
),

persons as (
    select * from {{ ref('int_identity__persons') }}
),

final as (
    select
        identifiers.identifier_type,
        identifiers.identifier_hash,
        persons.person_id,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        case
            when identifiers.is_rejected then 'rejected'
            when persons.identifiers = 1 then 'anonymous'
            else 'linked'
        end as link_status,
        identifiers.rejected_reason,
        identifiers.records,
        identifiers.sources
    from identifiers
    left join components on identifiers.node_id = components.node_id
    left join persons on components.component_id = persons.component_id
)

select * from final
