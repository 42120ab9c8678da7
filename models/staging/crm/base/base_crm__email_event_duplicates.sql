-- A table: the later copies of an email event id across every export, found
-- on narrow columns (file, row hash, event id) of the usable rows: the first
-- copy, by file then row hash, is kept.
{{ config(materialized='table') }}

with

usable_rows as (
    select
        source_file,
        row_hash,
        email_event_id
    from {{ ref('base_crm__email_event_lines') }}
    where quarantine_reason is null
),

repeated_ids as (
    select email_event_id
    from usable_rows
    group by email_event_id
    having count(*) > 1
),

numbered as (
    select
        source_file,
        row_hash,
        row_number() over (
            partition by email_event_id order by source_file, row_hash
        ) as copy_number
    from usable_rows
    where
        email_event_id in (
            select repeated_ids.email_event_id from repeated_ids
        )
),

final as (
    select
        source_file,
        row_hash
    from numbered
    where copy_number > 1
)

select * from final
