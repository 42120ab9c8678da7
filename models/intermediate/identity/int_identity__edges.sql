-- One row per pair of identifiers that some record ties together, with its
-- evidence: the stars of int_identity__record_edges summed per pair. Edges
-- touching a rejected identifier are kept with edge_status 'rejected' and
-- the identifier's reason; only 'accepted' edges join people.
--
-- Incremental by pair (replace_keys): a build sums again the pairs of the
-- stars drawn or replaced since it last ran, from every record that draws
-- them.
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (summed_at); a key's rows are written together (macro get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['node_a', 'node_b'],
    meta={'key_only_column': 'edge_id', 'tests_last_load': 'summed_at'},
    on_schema_change='fail',
    post_hook="{{ prune_replaced_rows(
        ref('int_identity__record_edges'),
        '(select max(summed_at) from ' ~ this ~ ')'
    ) }}",
) }}

{%- set record_edges = ref('int_identity__record_edges') %}
{%- if is_incremental() %}
    {%- set summed_through = incremental_watermark('summed_at') %}
    {%- set rewritten = rewritten_since(
        record_edges, 'starred_at', summed_through
    ) %}
{%- endif %}

with

{% if is_incremental() -%}
    touched_pairs as (
        -- the pairs of the stars drawn or replaced since{{
            ', and every pair the table holds: the stars were drawn whole'
            ~ ' since' if rewritten else '' }}
        select
            node_a,
            node_b
        from {{ record_edges }}
        where starred_at > {{ summed_through }}
        union
        select
            node_a,
            node_b
        from {{ replaced_rows_relation(record_edges) }}
        where replaced_at > {{ summed_through }}
        {%- if rewritten %}
            union
            select
                node_a,
                node_b
            from {{ this }}
        {%- endif %}
    ),

    pairs as (
        select record_edges.*
        from {{ record_edges }} as record_edges
        inner join touched_pairs
            on
                record_edges.node_a = touched_pairs.node_a
                and record_edges.node_b = touched_pairs.node_b
    ),

{% else -%}
    pairs as (
        select * from {{ record_edges }}
    ),

{% endif -%}

-- per pair and source first, so that the list of sources is built from a
-- handful of rows per pair rather than from every record
pair_sources as (
    select
        node_a,
        node_b,
        source_name,
        min(rejected_reason) as rejected_reason,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(*) as records,
        min(record_id) as example_record_id
    from pairs
    group by node_a, node_b, source_name
),

aggregated as (
    select
        node_a,
        node_b,
        min(rejected_reason) as rejected_reason,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        cast(sum(records) as {{ dbt.type_bigint() }}) as records,
        min(example_record_id) as example_record_id,
        {{ sorted_string_agg('source_name', ', ') }} as sources
    from pair_sources
    group by node_a, node_b
),

summed as (
    select
        {{ surrogate_key(['aggregated.node_a', 'aggregated.node_b']) }}
            as edge_id,
        aggregated.node_a,
        aggregated.node_b,
        a.identifier_type as identifier_type_a,
        a.identifier_hash as identifier_hash_a,
        b.identifier_type as identifier_type_b,
        b.identifier_hash as identifier_hash_b,
        case
            when aggregated.rejected_reason is null then 'accepted'
            else 'rejected'
        end as edge_status,
        aggregated.rejected_reason,
        aggregated.sources,
        aggregated.records,
        aggregated.example_record_id,
        aggregated.first_seen_at,
        aggregated.last_seen_at,
        {{ loaded_at() }} as summed_at
    from aggregated
    inner join {{ ref('int_identity__identifiers') }} as a
        on aggregated.node_a = a.node_id
    inner join {{ ref('int_identity__identifiers') }} as b
        on aggregated.node_b = b.node_id
),

final as (
    select * from summed
    {%- if is_incremental() %}
        union all
        -- a pair no star draws any more: a row of its key alone, for
        -- replace_keys to delete it
        select
            {{- key_only_rows({
                'node_a': 'touched_pairs.node_a',
                'node_b': 'touched_pairs.node_b'
            }) }}
        from touched_pairs
        left join summed
            on
                touched_pairs.node_a = summed.node_a
                and touched_pairs.node_b = summed.node_b
        where summed.node_a is null
    {%- endif %}
)

select * from final
