-- One row per accepted identifier (node) with its connected component: the
-- smallest node id reachable through accepted edges. The loop itself runs in
-- the pre-hook (macro connected_components); this model reads its result.
-- The hook runs outside the model's transaction: the loop commits each step.
--
-- Incremental by node (replace_keys): a build labels again the nodes of the
-- components that hold a node judged, dropped or summed into an edge since
-- it last ran (macro identity_components_scope), whole components, so the
-- labels are those of the whole graph. The rows it replaces are kept for
-- int_identity__persons (the components their nodes left) and
-- int_identity__record_persons (the nodes dropped from the graph).
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (labelled_at); a component's rows are written together (macro
-- get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='node_id',
    meta={
        'key_only_column': 'component_id',
        'keeps_replaced_rows': true,
        'tests_last_load': 'labelled_at',
    },
    on_schema_change='fail',
    pre_hook=[
        outside_transaction("{{ identity_components() }}"),
        "{{ drop_replaced_rows() }}",
    ],
    post_hook=[
        "{{ drop_identity_components_work() }}",
        "{{ create_replaced_rows() }}",
        "{{ prune_replaced_rows(
            ref('int_identity__identifiers'),
            read_through([
                [this, 'labelled_at'],
                [ref('int_identity__record_edges'), 'starred_at'],
                [later_reader('bridge_person_identifiers'), 'changed_at'],
            ])
        ) }}",
    ],
) }}

-- depends_on: {{ ref('int_identity__edges') }}
-- depends_on: {{ ref('int_identity__record_edges') }}

with

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
    where not is_rejected
),

labels as (
    select * from {{ components_relation(this, 'result') }}
),

labelled as (
    select
        identifiers.node_id,
        identifiers.identifier_type,
        identifiers.identifier_hash,
        labels.component_id,
        labels.rounds as resolution_rounds,
        {{ loaded_at() }} as labelled_at
    from identifiers
    inner join labels on identifiers.node_id = labels.node_id
),

final as (
    select * from labelled
    {%- if is_incremental() %}
        union all
        -- every node of the scope: a row of its key alone, for replace_keys
        -- to delete the label it had (a node rejected or dropped since has
        -- none now)
        select {{ key_only_rows({'node_id': 'scope.node_id'}) }}
        from {{ components_relation(this, 'scope') }} as scope
    {%- endif %}
)

select * from final
