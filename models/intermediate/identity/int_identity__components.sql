-- One row per accepted identifier (node) with its connected component: the
-- smallest node id reachable through accepted edges. The loop itself runs in
-- the pre-hook (macro connected_components); this model reads its result.
-- The hook runs outside the model's transaction: the loop commits each step.
{{ config(
    pre_hook=before_begin("{{ identity_components() }}"),
    post_hook="{{ drop_identity_components_work() }}",
) }}

with

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
    where not is_rejected
),

edges as (
    select * from {{ ref('int_identity__edges') }}
    where edge_status = 'accepted'
),

labels as (
    select * from {{ components_relation(this, 'result') }}
),

final as (
    select
        identifiers.node_id,
        identifiers.identifier_type,
        identifiers.identifier_hash,
        labels.component_id,
        labels.rounds as resolution_rounds,
        (select count(*) from edges) as accepted_edges
    from identifiers
    inner join labels on identifiers.node_id = labels.node_id
)

select * from final
