-- One row per record and identifier other than the record's hub: the star
-- each record draws between its identifiers, with the hub's or the
-- identifier's rejection reason. Within a record every identifier is linked
-- to the record's strongest identifier (lowest priority number): a star has
-- the same connected components as all pairs, with k-1 edges instead of
-- k(k-1)/2. int_identity__edges sums these rows per pair.
--
-- Incremental by record (replace_keys, keeping the rows it replaces for
-- int_identity__edges): a build draws again the stars of the records whose
-- observations were written, replaced or erased since it last ran, and of
-- the records that hold an identifier whose verdict changed since (its
-- hub, or its edges' reason, may change with it).
-- The observations and identifiers are read where each step needs them, not
-- through import CTEs: DuckDB materialises a CTE read twice whole (45M
-- observations at 1M persons), and only the narrow columns are carried;
-- they meet on the node id (an integer), not on the type and hash.
-- depends_on: {{ ref('int_identity__observations_all') }}
-- depends_on: {{ ref('int_identity__erased_records') }}
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (starred_at); a key's rows are written together (macro get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='record_id',
    meta={
        'key_only_column': 'node_a',
        'keeps_replaced_rows': true,
        'tests_last_load': 'starred_at',
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook=[
        "{{ create_replaced_rows() }}",
        "{{ prune_replaced_rows(
            ref('int_identity__observations_all'),
            'least((select max(starred_at) from ' ~ this ~ '), '
            ~ '(select max(judged_at) from '
            ~ ref('int_identity__identifiers') ~ '))'
        ) }}",
    ],
) }}

{%- set observations_all = ref('int_identity__observations_all') %}
{%- set identifiers = ref('int_identity__identifiers') %}
{%- if is_incremental() %}
    {%- set starred_through = incremental_watermark('starred_at') %}
    {%- set rewritten = rewritten_since(
        observations_all, 'written_at', starred_through
    ) or rewritten_since(identifiers, 'judged_at', starred_through) %}
    {%- set observations = 'touched_observations' %}
{%- else %}
    {%- set observations = ref('int_identity__observations') %}
{%- endif %}

with

{% if is_incremental() -%}
    changed_verdicts as (
        -- the identifiers judged again since whose verdict changed: their
        -- rows replaced since that differ from their row now, or that have
        -- no row now
        select replaced.node_id
        from {{ replaced_rows_relation(identifiers) }} as replaced
        left join {{ identifiers }} as judged
            on replaced.node_id = judged.node_id
        where
            replaced.replaced_at > {{ starred_through }}
            and (
                judged.node_id is null
                or judged.is_rejected <> replaced.is_rejected
                or coalesce(judged.rejected_reason, '')
                <> coalesce(replaced.rejected_reason, '')
            )
    ),

    touched_records as (
        -- the records written or replaced since, those of people erased in
        -- this build, and those that hold an identifier whose verdict
        -- changed{{
            '; every record: the observations or the verdicts were written'
            ~ ' whole since' if rewritten else '' }}
        select record_id
        from {{ observations_all }}
        where
            written_at > {{ starred_through }}
            or node_id in (
                select changed_verdicts.node_id from changed_verdicts
            )
        union
        select record_id
        from {{ replaced_rows_relation(observations_all) }}
        where replaced_at > {{ starred_through }}
        union
        select record_id from {{ ref('int_identity__erased_records') }}
        {%- if rewritten %}
            union
            select record_id from {{ observations_all }}
            union
            select record_id from {{ this }}
        {%- endif %}
    ),

    touched_observations as (
        select observations.*
        from {{ ref('int_identity__observations') }} as observations
        where
            observations.record_id in (
                select touched_records.record_id from touched_records
            )
    ),

{% endif -%}

record_hubs as (
    -- the hub of each record that holds two identifiers or more: its
    -- strongest accepted identifier, or its strongest identifier when every
    -- one is rejected; one rank orders them, rejected after accepted (64),
    -- then priority. A record holds one identifier of each type and
    -- priorities are unique per type, so the rank has no ties within a
    -- record; the node id breaks them all the same.
    select
        observations.record_id,
        {{ first_by('identifiers.node_id', [
            "case when identifiers.is_rejected then 64 else 0 end"
            ~ " + identifiers.priority",
            'identifiers.node_id',
        ]) }} as hub_node_id
    from {{ observations }} as observations
    inner join {{ identifiers }} as identifiers
        on observations.node_id = identifiers.node_id
    group by observations.record_id
    having count(*) > 1
),

-- one row per record and identifier other than its hub: a record holds an
-- identifier once (observations are unique on record, type and hash), so a
-- record gives a pair once. A rejected hub (every identifier of its record
-- is then rejected) gives the pair its own reason.
pairs as (
    select
        spokes.record_id,
        spokes.source_name,
        spokes.observed_at,
        least(record_hubs.hub_node_id, identifiers.node_id) as node_a,
        greatest(record_hubs.hub_node_id, identifiers.node_id) as node_b,
        coalesce(rejected_hubs.rejected_reason, identifiers.rejected_reason)
            as rejected_reason,
        {{ loaded_at() }} as starred_at
    from {{ observations }} as spokes
    inner join {{ identifiers }} as identifiers
        on spokes.node_id = identifiers.node_id
    inner join record_hubs
        on spokes.record_id = record_hubs.record_id
    left join {{ identifiers }} as rejected_hubs
        on
            record_hubs.hub_node_id = rejected_hubs.node_id
            and rejected_hubs.is_rejected
    where identifiers.node_id <> record_hubs.hub_node_id
),

final as (
    select * from pairs
    {%- if is_incremental() %}
        union all
        -- every record drawn again: a row of its key alone, for
        -- replace_keys to delete the star it had (a record that now holds
        -- one identifier, or none, has none)
        select
            {{- key_only_rows({'record_id': 'touched_records.record_id'}) }}
        from touched_records
    {%- endif %}
)

select * from final
