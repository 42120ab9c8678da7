{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('pos', 'stores'),
        ['store_id', 'timezone']
    ) }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'store_id', 'timezone'
        ]) }} as row_hash,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(store_name), '') as store_name,
        nullif(trim(city), '') as city,
        upper(nullif(trim(country), '')) as country,
        nullif(trim(timezone), '') as timezone
    from source
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when store_id is null then 'missing store_id'
            when timezone is null then 'missing timezone'
        end as quarantine_reason
    from typed
),

final as (
    select
        *,
        quarantine_reason is null and row_number() over (
            partition by store_id, quarantine_reason is null
            order by source_file desc, row_hash asc
        ) > 1 as is_duplicate
    from checked
)

select * from final
