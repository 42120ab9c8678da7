-- One row per (record, identifier) the graph may use: every staged record
-- except those of erased people. A view, not a copy: at 1M persons the copy
-- wrote 47M rows (2 GiB) to drop a few thousand records, where the anti-join
-- against the small int_identity__erased_records costs little in each reader,
-- and each reader scans only the columns it needs.
{{ config(materialized='view') }}

with

observations as (
    select * from {{ ref('int_identity__observations_all') }}
),

erased_records as (
    select * from {{ ref('int_identity__erased_records') }}
),

final as (
    select
        observations.source_name,
        observations.record_id,
        observations.identifier_type,
        observations.identifier_hash,
        observations.node_id,
        observations.observed_at
    from observations
    left join erased_records
        on observations.record_id = erased_records.record_id
    where erased_records.record_id is null
)

select * from final
