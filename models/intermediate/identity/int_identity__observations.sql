-- One row per (record, identifier) the graph may use: every staged record
-- except those of erased people.
with

observations as (
    select * from {{ ref('int_identity__observations_all') }}
),

erased as (
    select * from {{ ref('int_identity__erased_identifiers') }}
),

erased_records as (
    select distinct observations.record_id
    from observations
    inner join erased
        on
            observations.identifier_type = erased.identifier_type
            and observations.identifier_hash = erased.identifier_hash
),

final as (
    select
        observations.source_name,
        observations.record_id,
        observations.identifier_type,
        observations.identifier_hash,
        observations.observed_at
    from observations
    left join erased_records
        on observations.record_id = erased_records.record_id
    where erased_records.record_id is null
)

select * from final
