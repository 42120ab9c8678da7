-- One row per session with its person and GA4's last non-direct click: a
-- direct session takes the channel of the latest earlier session of the
-- same person (or device) that came through another channel, within
-- last_non_direct_lookback_days. The person is the one of the session's
-- record (int_identity__record_persons: the account logged in during the
-- session, else the device's person).
with

sessions as (
    select * from {{ ref('int_sessions__sourced') }}
),

record_persons as (
    select * from {{ ref('int_identity__record_persons') }}
),

stitched as (
    select
        sessions.*,
        record_persons.person_id
    from sessions
    left join record_persons
        on
            record_persons.record_type = 'session'
            and sessions.session_id = record_persons.record_id
),

non_direct as (
    -- GA4's last non-direct click: the latest session of the same person
    -- (or device) up to this one that came through another channel
    select
        *,
        last_value(
            case when channel_group <> 'Direct' then session_id end
            ignore nulls
        ) over (
            partition by coalesce(person_id, device_key)
            order by started_at, session_id
            rows between unbounded preceding and current row
        ) as non_direct_session_id
    from stitched
),

looked_back as (
    select
        non_direct.*,
        lookback.channel_group as lookback_channel_group,
        lookback.source as lookback_source,
        lookback.medium as lookback_medium,
        lookback.campaign as lookback_campaign,
        non_direct.channel_group = 'Direct'
        and lookback.session_id is not null
        and {{ dbt.datediff(
            'lookback.started_at', 'non_direct.started_at', 'second'
        ) }} <= {{ var('last_non_direct_lookback_days') }} * 86400
            as takes_lookback
    from non_direct
    left join non_direct as lookback
        on non_direct.non_direct_session_id = lookback.session_id
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
        case
            when takes_lookback then lookback_channel_group
            else channel_group
        end as last_non_direct_channel_group,
        case
            when takes_lookback then lookback_source else source
        end as last_non_direct_source,
        case
            when takes_lookback then lookback_medium else medium
        end as last_non_direct_medium,
        case
            when takes_lookback then lookback_campaign else campaign
        end as last_non_direct_campaign,
        case
            when takes_lookback then non_direct_session_id else session_id
        end as last_non_direct_session_id,
        is_bounce,
        has_conversion,
        is_logged_in,
        device_key_type,
        device_key
    from looked_back
)

select * from final
