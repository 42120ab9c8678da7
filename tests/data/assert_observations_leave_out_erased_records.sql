-- The identity graph never sees a record of a person who asked for erasure:
-- no row of int_identity__observations belongs to a record listed in
-- int_identity__erased_records. Returns the offending rows.
with

observations as (
    select * from {{ ref('int_identity__observations') }}
),

erased_records as (
    select * from {{ ref('int_identity__erased_records') }}
),

final as (
    select
        observations.record_id,
        observations.identifier_type
    from observations
    inner join erased_records
        on observations.record_id = erased_records.record_id
)

select * from final
