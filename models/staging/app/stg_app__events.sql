-- A table: every downstream model reads these events, and the window that
-- found the duplicates in the base model should not run again.
{{ config(materialized='table') }}

with

events as (
    select * from {{ ref('base_app__events') }}
),

final as (
    select
        source_file,
        platform,
        partition_date,
        message_id,
        event_type,
        event_name,
        screen_name,
        is_known_event,
        anonymous_id_hash,
        user_id_hash,
        occurred_at,
        sent_at,
        received_at,
        page_url,
        page_path,
        page_referrer,
        referrer_host,
        page_title,
        utm_source,
        utm_medium,
        utm_campaign,
        utm_content,
        utm_term,
        has_gclid,
        has_fbclid,
        esp_subscriber_id_hash,
        is_malformed_url,
        user_agent,
        ip_hash,
        device_id_hash,
        advertising_id_hash,
        device_type,
        device_model,
        os_name,
        app_version,
        product_id,
        price,
        quantity,
        cart_id,
        order_id,
        revenue,
        currency,
        coupon,
        search_query,
        rating,
        referral_code,
        push_campaign,
        email_hash,
        phone_hash,
        is_invalid_phone
    from events
    where quarantine_reason is null and not is_duplicate
)

select * from final
