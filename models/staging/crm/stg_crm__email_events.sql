-- tests_last_load: a daily build's data tests check the rows it loaded and
-- every row of the keys they hold (macro get_where_subquery).
{{ config(meta={'tests_last_load': true}) }}

with

email_events as (
    select * from {{ ref('base_crm__email_events') }}
),

final as (
    select
        email_event_id,
        contact_id_hash,
        esp_subscriber_id_hash,
        campaign_id,
        campaign_name,
        event_type,
        url,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        occurred_at,
        source_file,
        loaded_at,
        is_erased
    from email_events
    where quarantine_reason is null and not is_duplicate
)

select * from final
