with

stores as (
    select * from {{ ref('base_pos__stores') }}
),

final as (
    select
        store_id,
        store_name,
        city,
        country,
        timezone,
        source_file
    from stores
    where quarantine_reason is null and not is_duplicate
)

select * from final
