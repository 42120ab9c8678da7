-- The event files read, one row each, with the start of the build that read
-- them (loaded_at): what a later model needs to tell which files a build read
-- again, without the base models' accounting.
{{ config(materialized='view') }}

with

files as (
    select * from {{ ref('base_web__event_files') }}
),

final as (
    select
        source_file,
        loaded_at
    from files
)

select * from final
