-- One row per (record, identifier) the graph may use: every staged record
-- except those of erased people.
-- int_identity__observations_all is read twice, not through one CTE: a CTE
-- read twice is materialised whole (some 45M rows at 1M persons).
with

erased_records as (
    {{ erased_record_ids(
        ref('int_identity__observations_all'),
        ref('int_identity__erased_identifiers')
    ) }}
),

final as (
    select
        observations.source_name,
        observations.record_id,
        observations.identifier_type,
        observations.identifier_hash,
        observations.observed_at
    from {{ ref('int_identity__observations_all') }} as observations
    left join erased_records
        on observations.record_id = erased_records.record_id
    where erased_records.record_id is null
)

select * from final
