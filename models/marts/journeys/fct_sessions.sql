-- The sessions of int_sessions__stitched, as BI tools read them.
with

sessions as (
    select * from {{ ref('int_sessions__stitched') }}
),

final as (
    select
        session_id,
        person_id,
        platform,
        device_type,
        started_at,
        ended_at,
        duration_seconds,
        page_views,
        events,
        landing_page,
        channel_group,
        source,
        medium,
        campaign,
        last_non_direct_channel_group,
        last_non_direct_source,
        last_non_direct_medium,
        last_non_direct_campaign,
        last_non_direct_session_id,
        is_bounce,
        has_conversion,
        is_logged_in,
        device_key_type,
        device_key
    from sessions
)

select * from final
