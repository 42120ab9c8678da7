-- Why each person is one person: every edge between the person's identifiers,
-- with the sources, the number of records and one example record, plus the
-- edges that touch them but did not link: rejected by a guardrail, or cut
-- because they joined two account ids. Filter on person_id to explain one
-- person (see analyses/explain_person.sql).
--
-- Incremental by edge (replace_keys on edge_id): a build writes again the
-- edges int_identity__edges summed since the latest marker this table holds
-- (changed_at), and those touching a node whose person changed since (the
-- nodes int_identity__components labelled or replaced since, and those of
-- the components int_identity__persons summarized since); an edge that no
-- longer touches a person, or that the graph no longer holds, loses its row
-- (a key-only row). When one of the three was written whole since, every
-- edge is written again.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='edge_id',
    meta={'key_only_column': 'edge_status', 'tests_last_load': 'changed_at'},
    on_schema_change='fail',
) }}

{%- set edges_relation = ref('int_identity__edges') %}
{%- set components_relation = ref('int_identity__components') %}
{%- set persons_relation = ref('int_identity__persons') %}
{%- set redo_all = true %}
{%- if is_incremental() %}
    {%- set since = incremental_watermark('changed_at') %}
    {%- set redo_all = identity_rewritten_since([
        [edges_relation, 'summed_at'],
        [components_relation, 'labelled_at'],
        [persons_relation, 'summarized_at'],
    ], since) %}
{%- endif %}
{#- the edges computed: on an incremental run, those that changed -#}
{%- set edges_read = 'edges' if redo_all else 'batch_edges' %}

with

edges as (
    select * from {{ edges_relation }}
),

components as (
    select * from {{ components_relation }}
),

persons as (
    select * from {{ persons_relation }}
),

{% if is_incremental() and not redo_all -%}
    -- the nodes whose person changed since
    changed_nodes as (
        {{ nodes_whose_person_changed(
            components_relation, persons_relation, since
        ) }}
    ),

    batch_edges as (
        select edges.*
        from edges
        where
            edges.summed_at > {{ since }}
            or edges.node_a in (select changed_nodes.node_id from changed_nodes)
            or edges.node_b in (select changed_nodes.node_id from changed_nodes)
    ),

{% endif -%}

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
        edges.last_seen_at,
        {{ loaded_at() }} as changed_at
    from {{ edges_read }} as edges
    left join person_nodes as a on edges.node_a = a.node_id
    left join person_nodes as b on edges.node_b = b.node_id
    where coalesce(a.person_id, b.person_id) is not null
)

select * from final
{%- if is_incremental() %}
    union all
    -- the edges written again (those no longer touching a person keep only
    -- this row) and, when every edge is written again, every edge the table
    -- holds: rows of their key alone, for replace_keys to delete them
    select {{ key_only_rows({'edge_id': 'written.edge_id'}) }}
    from {{ edges_read }} as written
    union all
    -- the edges the graph no longer holds
    select {{ key_only_rows({'edge_id': 'previous.edge_id'}) }}
    from {{ this }} as previous
    where not exists (
        select 1
        from edges
        where edges.edge_id = previous.edge_id
    )
{%- endif %}
