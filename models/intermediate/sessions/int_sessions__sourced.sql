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

measured as (
    -- one aggregate per session: the first event gives the landing page and
    -- device type, the first event carrying a source gives the traffic
    -- source (an app install comes before the open with the campaign)
    select
        session_id,
        min(device_key) as device_key,
        min(device_key_type) as device_key_type,
        min(platform) as platform,
        {{ first_by('device_type', ['occurred_at', 'message_id']) }}
            as device_type,
        min(occurred_at) as started_at,
        {{ first_by(
            'coalesce(page_path, event_name, event_type)',
            ['occurred_at', 'message_id']
        ) }} as landing_page,
        {{ first_by('source', ['occurred_at', 'message_id']) }}
        filter (where source is not null) as source,
        {{ first_by('medium', ['occurred_at', 'message_id']) }}
        filter (where source is not null) as medium,
        {{ first_by('campaign', ['occurred_at', 'message_id']) }}
        filter (where source is not null) as campaign,
        max(occurred_at) as ended_at,
        count(*) as events,
        count(case when is_view then 1 end) as page_views,
        count(case when is_conversion then 1 end) > 0 as has_conversion,
        count(user_id_hash) > 0 as is_logged_in,
        min(user_id_hash) as user_id_hash,
        {{ dbt.datediff('min(occurred_at)', 'max(occurred_at)', 'second') }}
            as duration_seconds
    from events
    group by session_id
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
