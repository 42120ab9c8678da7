-- One row per web or app session with what its events say about it: where
-- it landed, its traffic source (the first one any of its events carries:
-- an app install comes before the open with the campaign), GA4's names for
-- a session without a source and for a search engine seen only as a
-- referrer, its default channel group, its length and whether it bounced.
-- The person comes later (int_sessions__stitched), from the identity graph.
with

events as (
    select * from {{ ref('int_sessions__sessionized') }}
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

final as (
    select
        session_id,
        device_key,
        device_key_type,
        platform,
        device_type,
        started_at,
        ended_at,
        duration_seconds,
        page_views,
        events,
        landing_page,
        {{ channel_group(
            'session_source',
            'session_medium',
            'campaign',
            'source_category'
        ) }} as channel_group,
        session_source as source,
        session_medium as medium,
        campaign,
        duration_seconds < {{ var('session_engaged_seconds') }}
        and page_views < 2
        and not has_conversion as is_bounce,
        has_conversion,
        is_logged_in,
        user_id_hash
    from traffic_named
)

select * from final
