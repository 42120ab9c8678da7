-- A table: every downstream model reads these events, and the window that
-- found the duplicates in the base model should not run again.
{{ config(materialized='table') }}

with

events as (
    select * from {{ ref('base_web__events') }}
),

final as (
    select
        {{ star_except(ref('base_web__events'), [
            'quarantine_reason', 'is_valid_json', 'row_hash', 'is_duplicate'
        ]) }}
    from events
    where quarantine_reason is null and not is_duplicate
)

select * from final
