-- Incremental, replace_keys by file: an export is read, typed and hashed
-- once, when it first lands (or lands again with other bytes; macro
-- files_to_read), and a file read again replaces all its rows, even when it
-- now holds none (a key-only row per file read); which copy of an event id
-- is kept is decided over every file, on narrow columns
-- (base_crm__email_event_duplicates).
-- depends_on: {{ ref('base_landing__files') }}
-- tests_last_load: a daily build's data tests check the rows it loaded
-- (macro get_where_subquery); each row was checked by the build that wrote it.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='source_file',
    meta={'key_only_column': 'row_hash', 'tests_last_load': true},
    on_schema_change='fail',
) }}

{%- set files = files_to_read(
    'crm', 'email_events', this if is_incremental() else none
) %}

with

source as (
    {{ csv_by_header(
        source('crm', 'email_events'),
        ['event_id', 'event_type', 'occurred_at'],
        files
    ) }}
),

inventory as (
    select * from {{ landing_inventory('crm', 'email_events') }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'event_id', 'event_type', 'occurred_at'
        ]) }}
            as row_hash,
        {{ normalize_identifier('event_id') }} as email_event_id,
        {{ hash_identifier('contact_id', normalize_identifier('contact_id')) }}
            as contact_id_hash,
        {{ hash_identifier(
            'esp_subscriber_id', normalize_identifier('esp_subscriber_id')
        ) }} as esp_subscriber_id_hash,
        nullif(trim(campaign_id), '') as campaign_id,
        nullif(trim(campaign_name), '') as campaign_name,
        lower(trim(event_type)) as event_type,
        {{ strip_url_param('url', 'eid') }} as url,
        {{ url_param('url', 'utm_source') }} as utm_source,
        {{ url_param('url', 'utm_medium') }} as utm_medium,
        {{ url_param('url', 'utm_campaign') }} as utm_campaign,
        {{ url_param('url', 'utm_content') }} as utm_content,
        {{ parse_timestamp('occurred_at') }} as occurred_at
    from source
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when email_event_id is null then 'missing event_id'
            when event_type is null or event_type not in (
                'sent', 'delivered', 'open', 'click', 'bounce', 'unsubscribe',
                'spam_report'
            ) then 'unknown event_type'
            when occurred_at is null then 'missing or unparseable occurred_at'
            when {{ implausible_time_reason(
                'occurred_at', 'occurred_at'
            ) }} is not null
                then {{ implausible_time_reason(
                    'occurred_at', 'occurred_at'
                ) }}
            when contact_id_hash is null and esp_subscriber_id_hash is null
                then 'no contact_id nor esp_subscriber_id'
        end as quarantine_reason
    from typed
),

final as (
    select
        checked.*,
        inventory.file_bytes,
        inventory.file_modified_at,
        {{ loaded_at() }} as loaded_at,
        -- set by the erasure of a later build (macro erase_in_staging)
        false as is_erased
    from checked
    left join inventory on checked.source_file = inventory.source_file
)

select * from final
{{ key_only_rows_of_files(files) }}
