-- One row per pair of identifiers that some record ties together, with its
-- evidence. Within a record every identifier is linked to the record's
-- strongest identifier (lowest priority number): a star has the same
-- connected components as all pairs, with k-1 edges instead of k(k-1)/2.
-- Edges touching a rejected identifier are kept with edge_status 'rejected'
-- and the identifier's reason; only 'accepted' edges join people.
-- The observations and identifiers are read where each step needs them, not
-- through import CTEs: DuckDB materialises a CTE read twice whole (45M
-- observations at 1M persons), and only the narrow columns are carried;
-- they meet on the node id (an integer), not on the type and hash.
with

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
    from {{ ref('int_identity__observations') }} as observations
    inner join {{ ref('int_identity__identifiers') }} as identifiers
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
            as rejected_reason
    from {{ ref('int_identity__observations') }} as spokes
    inner join {{ ref('int_identity__identifiers') }} as identifiers
        on spokes.node_id = identifiers.node_id
    inner join record_hubs
        on spokes.record_id = record_hubs.record_id
    left join {{ ref('int_identity__identifiers') }} as rejected_hubs
        on
            record_hubs.hub_node_id = rejected_hubs.node_id
            and rejected_hubs.is_rejected
    where identifiers.node_id <> record_hubs.hub_node_id
),

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
    inner join {{ ref('int_identity__identifiers') }} as a
        on aggregated.node_a = a.node_id
    inner join {{ ref('int_identity__identifiers') }} as b
        on aggregated.node_b = b.node_id
)

select * from final
