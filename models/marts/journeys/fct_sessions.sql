with

events as (
    select * from {{ ref('int_sessions__sessionized') }}
),

bridge as (
    select * from {{ ref('bridge_person_identifiers') }}
),

categories as (
    select * from {{ ref('channel_source_categories') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by session_id order by occurred_at, message_id
        ) as event_rank,
        -- the session's traffic source is the first one any of its events
        -- carries (an app install comes before the open with the campaign)
        row_number() over (
            partition by session_id
            order by
                case when source is null then 1 else 0 end,
                occurred_at,
                message_id
        ) as source_rank
    from events
),

first_events as (
    select
        session_id,
        device_key,
        device_key_type,
        platform,
        device_type,
        occurred_at as started_at,
        coalesce(page_path, event_name, event_type) as landing_page
    from ranked
    where event_rank = 1
),

traffic as (
    select
        session_id,
        source,
        medium,
        campaign
    from ranked
    where source_rank = 1
),

landing as (
    select
        first_events.*,
        traffic.source,
        traffic.medium,
        traffic.campaign
    from first_events
    inner join traffic on first_events.session_id = traffic.session_id
),

summary as (
    select
        session_id,
        max(occurred_at) as ended_at,
        count(*) as events,
        count(case when is_view then 1 end) as page_views,
        count(case when is_conversion then 1 end) > 0 as has_conversion,
        count(distinct user_id_hash) > 0 as is_logged_in,
        min(user_id_hash) as user_id_hash
    from events
    group by session_id
),

measured as (
    select
        landing.*,
        summary.ended_at,
        summary.events,
        summary.page_views,
        summary.has_conversion,
        summary.is_logged_in,
        summary.user_id_hash,
        {{ dbt.datediff('landing.started_at', 'summary.ended_at', 'second') }}
            as duration_seconds
    from landing
    inner join summary on landing.session_id = summary.session_id
),

traffic_named as (
    -- GA4's names for a session without a source, and for a search engine
    -- that only shows as a referrer
    select
        measured.*,
        categories.source_category,
        coalesce(measured.source, '(direct)') as session_source,
        case
            when measured.source is null then '(none)'
            when
                measured.medium = 'referral'
                and categories.source_category = 'search'
                then 'organic'
            else measured.medium
        end as session_medium
    from measured
    left join categories
        on {{ channel_source_key('measured.source') }} = categories.source
),

stitched as (
    -- the person of the device; on a junk device, the person of the account
    -- that logged in during the session
    select
        traffic_named.*,
        coalesce(device_links.person_id, account_links.person_id) as person_id,
        {{ channel_group(
            'traffic_named.session_source',
            'traffic_named.session_medium',
            'traffic_named.campaign',
            'traffic_named.source_category'
        ) }} as channel_group
    from traffic_named
    left join bridge as device_links
        on
            traffic_named.device_key_type = device_links.identifier_type
            and traffic_named.device_key = device_links.identifier_hash
    left join bridge as account_links
        on
            account_links.identifier_type = 'user_id'
            and traffic_named.user_id_hash = account_links.identifier_hash
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
        lookback.session_source as lookback_source,
        lookback.session_medium as lookback_medium,
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
        session_source as source,
        session_medium as medium,
        campaign,
        case
            when takes_lookback then lookback_channel_group
            else channel_group
        end as last_non_direct_channel_group,
        case
            when takes_lookback then lookback_source else session_source
        end as last_non_direct_source,
        case
            when takes_lookback then lookback_medium else session_medium
        end as last_non_direct_medium,
        case
            when takes_lookback then lookback_campaign else campaign
        end as last_non_direct_campaign,
        case
            when takes_lookback then non_direct_session_id else session_id
        end as last_non_direct_session_id,
        duration_seconds < {{ var('session_engaged_seconds') }}
        and page_views < 2
        and not has_conversion as is_bounce,
        has_conversion,
        is_logged_in,
        device_key_type,
        device_key
    from looked_back
)

select * from final
