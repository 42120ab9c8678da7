-- One row per identifier: its person, how it is linked and, when rejected,
-- why.
--
-- Incremental by identifier (replace_keys on type and hash): a build writes
-- again the identifiers whose row, label or person changed since the latest
-- marker this table holds (changed_at): those int_identity__identifiers
-- judged or replaced since, those int_identity__components labelled or
-- replaced since (whole components, so a component's count of identifiers
-- is right), and the nodes of the components int_identity__persons
-- summarized since (a new person id). An identifier replaced since and no
-- longer judged loses its row (a key-only row). When one of the three was
-- written whole since, every identifier is written again. The companions
-- this model reads are pruned by their last readers through its marker
-- (macros read_through, later_reader).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['identifier_type', 'identifier_hash'],
    meta={'key_only_column': 'link_status', 'tests_last_load': 'changed_at'},
    on_schema_change='fail',
) }}

{%- set identifiers_relation = ref('int_identity__identifiers') %}
{%- set components_relation = ref('int_identity__components') %}
{%- set persons_relation = ref('int_identity__persons') %}
{%- set redo_all = true %}
{%- if is_incremental() %}
    {#- the keys to delete: those replaced since, or every key -#}
    {%- set gone_relation = replaced_rows_relation(identifiers_relation) %}
    {%- set since = incremental_watermark('changed_at') %}
    {%- set redo_all = identity_rewritten_since([
        [identifiers_relation, 'judged_at'],
        [components_relation, 'labelled_at'],
        [persons_relation, 'summarized_at'],
    ], since) %}
    {%- if redo_all %}{% set gone_relation = this %}{% endif %}
{%- endif %}

with

identifiers as (
    select * from {{ identifiers_relation }}
),

components as (
    select * from {{ components_relation }}
),

persons as (
    select * from {{ persons_relation }}
),

{% if not redo_all -%}
    changed_nodes as (
        -- the identifiers whose row, component or person changed since
        {{ written_or_replaced_since(
            identifiers_relation, 'node_id', 'judged_at', since
        ) }}
        union
        {{ nodes_whose_person_changed(
            components_relation, persons_relation, since
        ) }}
    ),

{% endif -%}

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
        identifiers.sources,
        {{ loaded_at() }} as changed_at
    from identifiers
    left join components on identifiers.node_id = components.node_id
    left join persons on components.component_id = persons.component_id
    {%- if not redo_all %}
        where
            identifiers.node_id
            in (select changed_nodes.node_id from changed_nodes)
    {%- endif %}
)

select * from final
{%- if is_incremental() %}
    union all
    -- an identifier no longer judged: a row of its key alone, for
    -- replace_keys to delete it
    select
        {{- key_only_rows({
            'identifier_type': 'gone.identifier_type',
            'identifier_hash': 'gone.identifier_hash'
        }) }}
    from {{ gone_relation }} as gone
    {%- if not redo_all %}
        where gone.replaced_at > {{ since }}
    {%- endif %}
{%- endif %}
