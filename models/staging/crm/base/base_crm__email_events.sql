-- A view: the rows are stored once (base_crm__email_event_lines); the join
-- with the few later copies is cheap for each of its readers.
-- tests_last_load: a daily build's data tests check the rows it loaded and
-- every row of the keys they hold (macro get_where_subquery).
{{ config(materialized='view', meta={'tests_last_load': true}) }}

with

email_event_lines as (
    select * from {{ ref('base_crm__email_event_lines') }}
),

duplicates as (
    select * from {{ ref('base_crm__email_event_duplicates') }}
),

final as (
    select
        email_event_lines.source_file,
        email_event_lines.layout_reason,
        email_event_lines.row_hash,
        email_event_lines.email_event_id,
        email_event_lines.contact_id_hash,
        email_event_lines.esp_subscriber_id_hash,
        email_event_lines.campaign_id,
        email_event_lines.campaign_name,
        email_event_lines.event_type,
        email_event_lines.url,
        email_event_lines.utm_source,
        email_event_lines.utm_medium,
        email_event_lines.utm_campaign,
        email_event_lines.utm_content,
        email_event_lines.occurred_at,
        email_event_lines.quarantine_reason,
        email_event_lines.file_bytes,
        email_event_lines.file_modified_at,
        email_event_lines.loaded_at,
        email_event_lines.is_erased,
        duplicates.row_hash is not null as is_duplicate
    from email_event_lines
    left join duplicates
        on
            email_event_lines.source_file = duplicates.source_file
            and email_event_lines.row_hash = duplicates.row_hash
)

select * from final
