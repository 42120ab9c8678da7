-- One row per identifier with its guardrail verdict. An identifier is
-- rejected (never becomes a node of the graph) when it is
--   1. a junk value of the junk_identifiers seed (placeholders, zeroed ids,
--      test accounts), compared hash to hash;
--   2. shared: seen in records with more than identity_max_account_ids
--      distinct account ids (a family tablet, a shared mailbox);
--   3. a degree outlier: of a type with degree_guard, seen in more records
--      than max(identity_degree_min, median + identity_degree_mads x MAD) of
--      its type (a loyalty card a cashier scans for strangers).
-- The first reason that applies is kept.
with

observations as (
    select * from {{ ref('int_identity__observations') }}
),

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

junk_hashes as (
    select * from {{ ref('int_identity__junk_hashes') }}
),

identifiers as (
    select
        identifier_type,
        identifier_hash,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        count(distinct record_id) as records,
        count(distinct source_name) as sources
    from observations
    group by identifier_type, identifier_hash
),

accounts_per_record as (
    select
        observations.record_id,
        observations.identifier_hash as account_hash
    from observations
    left join junk_hashes
        on
            observations.identifier_type = junk_hashes.identifier_type
            and observations.identifier_hash = junk_hashes.identifier_hash
    where
        observations.identifier_type = 'user_id'
        and junk_hashes.identifier_hash is null
),

account_counts as (
    select
        observations.identifier_type,
        observations.identifier_hash,
        count(distinct accounts_per_record.account_hash) as account_ids
    from observations
    inner join accounts_per_record
        on observations.record_id = accounts_per_record.record_id
    where observations.identifier_type <> 'user_id'
    group by observations.identifier_type, observations.identifier_hash
),

degree_limits as (
    select
        identifiers.identifier_type,
        greatest(
            {{ var('identity_degree_min') }},
            median(identifiers.records)
            + {{ var('identity_degree_mads') }} * mad(identifiers.records)
        ) as max_records
    from identifiers
    inner join identifier_types
        on identifiers.identifier_type = identifier_types.identifier_type
    where identifier_types.degree_guard
    group by identifiers.identifier_type
),

judged as (
    select
        identifiers.*,
        identifier_types.priority,
        identifier_types.is_account,
        coalesce(account_counts.account_ids, 0) as account_ids,
        case
            when junk_hashes.identifier_hash is not null
                then 'junk value: ' || junk_hashes.reason
            when
                coalesce(account_counts.account_ids, 0)
                > {{ var('identity_max_account_ids') }}
                then
                    'shared: seen with '
                    || cast(account_counts.account_ids as varchar)
                    || ' account ids'
            when identifiers.records > degree_limits.max_records
                then
                    'degree outlier: in '
                    || cast(identifiers.records as varchar)
                    || ' records, limit for its type '
                    || cast(
                        cast(
                            floor(degree_limits.max_records) as bigint
                        ) as varchar
                    )
        end as rejected_reason
    from identifiers
    inner join identifier_types
        on identifiers.identifier_type = identifier_types.identifier_type
    left join junk_hashes
        on
            identifiers.identifier_type = junk_hashes.identifier_type
            and identifiers.identifier_hash = junk_hashes.identifier_hash
    left join account_counts
        on
            identifiers.identifier_type = account_counts.identifier_type
            and identifiers.identifier_hash = account_counts.identifier_hash
    left join degree_limits
        on identifiers.identifier_type = degree_limits.identifier_type
),

final as (
    select
        row_number() over (
            order by identifier_type, identifier_hash
        ) as node_id,
        identifier_type,
        identifier_hash,
        priority,
        is_account,
        first_seen_at,
        last_seen_at,
        records,
        sources,
        account_ids,
        rejected_reason is not null as is_rejected,
        rejected_reason
    from judged
)

select * from final
