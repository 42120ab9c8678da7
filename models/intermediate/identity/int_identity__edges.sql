-- One row per pair of identifiers that some record ties together, with its
-- evidence. Within a record every identifier is linked to the record's
-- strongest identifier (lowest priority number): a star has the same
-- connected components as all pairs, with k-1 edges instead of k(k-1)/2.
-- Edges touching a rejected identifier are kept with edge_status 'rejected'
-- and the identifier's reason; only 'accepted' edges join people.
with

observations as (
    select * from {{ ref('int_identity__observations') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

record_identifiers as (
    select distinct
        observations.record_id,
        observations.source_name,
        observations.observed_at,
        identifiers.node_id,
        identifiers.identifier_type,
        identifiers.identifier_hash,
        identifiers.priority,
        identifiers.is_rejected,
        identifiers.rejected_reason
    from observations
    inner join identifiers
        on
            observations.identifier_type = identifiers.identifier_type
            and observations.identifier_hash = identifiers.identifier_hash
),

hubs as (
    -- the hub of each record: its strongest accepted identifier, or its
    -- strongest identifier when every one is rejected
    select
        record_id,
        {{ first_by(
            'node_id', ['is_rejected', 'priority', 'identifier_hash']
        ) }} as hub_node_id,
        {{ first_by(
            'rejected_reason', ['is_rejected', 'priority', 'identifier_hash']
        ) }} as hub_rejected_reason
    from record_identifiers
    group by record_id
),

pairs as (
    select
        spokes.record_id,
        spokes.source_name,
        spokes.observed_at,
        least(hubs.hub_node_id, spokes.node_id) as node_a,
        greatest(hubs.hub_node_id, spokes.node_id) as node_b,
        coalesce(hubs.hub_rejected_reason, spokes.rejected_reason)
            as rejected_reason
    from record_identifiers as spokes
    inner join hubs on spokes.record_id = hubs.record_id
    where spokes.node_id <> hubs.hub_node_id
),

aggregated as (
    select
        node_a,
        node_b,
        min(rejected_reason) as rejected_reason,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(distinct record_id) as records,
        min(record_id) as example_record_id,
        string_agg(distinct source_name, ', ' order by source_name) as sources
    from pairs
    group by node_a, node_b
),

final as (
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
        aggregated.last_seen_at
    from aggregated
    inner join identifiers as a on aggregated.node_a = a.node_id
    inner join identifiers as b on aggregated.node_b = b.node_id
)

select * from final
