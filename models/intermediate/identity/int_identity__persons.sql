-- One row per resolved person (connected component). The person id is the
-- salted hash of the component's anchor: its earliest-seen identifier (ties:
-- the stronger type, then the hash). Adding unrelated data never changes an
-- anchor, so ids are stable across rebuilds; when two people merge, the
-- older anchor wins, the other id is retired and recorded in map_person_ids.
--
-- Incremental by component (replace_keys): a build sums up again the
-- components it labelled again (int_identity__components), and removes the
-- components their nodes left (kept in its `__replaced` companion).
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (summarized_at); a component's row is written whole (macro
-- get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='component_id',
    meta={'key_only_column': 'person_id', 'tests_last_load': 'summarized_at'},
    on_schema_change='fail',
) }}

{%- set components_relation = ref('int_identity__components') %}
{%- if is_incremental() %}
    {%- set summarized_through = incremental_watermark('summarized_at') %}
    {%- set rewritten = rewritten_since(
        components_relation, 'labelled_at', summarized_through
    ) %}
{%- endif %}

with

{% if is_incremental() -%}
    touched_components as (
        -- the components labelled again since, and those their nodes left{{
            '; every component: the labels were written whole since'
            if rewritten else '' }}
        select component_id
        from {{ components_relation }}
        where labelled_at > {{ summarized_through }}
        union
        select component_id
        from {{ replaced_rows_relation(components_relation) }}
        where replaced_at > {{ summarized_through }}
        {%- if rewritten %}
            union
            select component_id from {{ components_relation }}
            union
            select component_id from {{ this }}
        {%- endif %}
    ),

    components as (
        select labelled.*
        from {{ components_relation }} as labelled
        inner join touched_components
            on labelled.component_id = touched_components.component_id
    ),

{% else -%}
    components as (
        select * from {{ components_relation }}
    ),

{% endif -%}

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

members as (
    select
        components.component_id,
        identifiers.identifier_type,
        identifiers.identifier_hash,
        identifiers.priority,
        identifiers.is_account,
        identifiers.is_known,
        identifiers.is_cookie_or_install,
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from components
    inner join identifiers on components.node_id = identifiers.node_id
),

anchors as (
    select
        component_id,
        identifier_type as anchor_type,
        identifier_hash as anchor_hash,
        row_number() over (
            partition by component_id
            order by first_seen_at asc, priority asc, identifier_hash asc
        ) as anchor_rank
    from members
),

summary as (
    select
        component_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        count(*) as identifiers,
        count(case when is_account then 1 end) as account_ids,
        count(case when is_cookie_or_install then 1 end)
            as cookies_and_installs,
        count(case when is_known then 1 end) > 0 as is_known
    from members
    group by component_id
),

summarized as (
    select
        {{ sha256_hex(
            hash_salt() ~ " || '|person|' || anchors.anchor_type"
            ~ " || '|' || anchors.anchor_hash"
        ) }} as person_id,
        summary.component_id,
        anchors.anchor_type,
        anchors.anchor_hash,
        summary.first_seen_at,
        summary.last_seen_at,
        summary.identifiers,
        summary.account_ids,
        summary.cookies_and_installs,
        summary.is_known,
        {{ loaded_at() }} as summarized_at
    from summary
    inner join anchors
        on
            summary.component_id = anchors.component_id
            and anchors.anchor_rank = 1
),

final as (
    select * from summarized
    {%- if is_incremental() %}
        union all
        -- a component no node is labelled with any more: a row of its key
        -- alone, for replace_keys to delete it
        select
            {{- key_only_rows({
                'component_id': 'touched_components.component_id'
            }) }}
        from touched_components
        where
            touched_components.component_id not in (
                select summarized.component_id from summarized
            )
    {%- endif %}
)

select * from final
