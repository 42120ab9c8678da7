-- Why each person is one person: every edge between the person's identifiers,
-- with the sources, the number of records and one example record, plus the
-- edges that touch them but did not link: rejected by a guardrail, or cut
-- because they joined two account ids. Filter on person_id to explain one
-- person (see analyses/explain_person.sql).
with

edges as (
    select * from {{ ref('int_identity__edges') }}
),

components as (
    select * from {{ ref('int_identity__components') }}
),

persons as (
    select * from {{ ref('int_identity__persons') }}
),

person_nodes as (
    select
        components.node_id,
        persons.person_id
    from components
    inner join persons on components.component_id = persons.component_id
),

final as (
    select
        coalesce(a.person_id, b.person_id) as person_id,
        edges.edge_id,
        edges.identifier_type_a,
        edges.identifier_hash_a,
        edges.identifier_type_b,
        edges.identifier_hash_b,
        case
            when
                edges.edge_status = 'accepted'
                and a.person_id <> b.person_id
                then 'cut'
            else edges.edge_status
        end as edge_status,
        case
            when
                edges.edge_status = 'accepted'
                and a.person_id <> b.person_id
                then 'cut: it joined people with different account ids'
            else edges.rejected_reason
        end as rejected_reason,
        edges.sources,
        edges.records,
        edges.example_record_id,
        edges.first_seen_at,
        edges.last_seen_at
    from edges
    left join person_nodes as a on edges.node_a = a.node_id
    left join person_nodes as b on edges.node_b = b.node_id
    where coalesce(a.person_id, b.person_id) is not null
)

select * from final
