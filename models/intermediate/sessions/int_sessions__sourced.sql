-- One row per web or app session with what its events say about it: where
-- it landed, its traffic source (the first one any of its events carries:
-- an app install comes before the open with the campaign), GA4's names for
-- a session without a source and for a search engine seen only as a
-- referrer, its default channel group, its length and whether it bounced.
-- The person comes later (int_sessions__stitched), from the identity graph.
--
-- Incremental, replace_keys by device: a build measures again the sessions
-- of the devices int_sessions__sessionized sessionized again; the other
-- sessions keep their rows. The rows it replaces are kept for
-- int_sessions__stitched (a device left without sessions). tests_last_load:
-- a daily build's data tests check the sessions it wrote (a session is
-- written with its device, marked by its events' latest sessionized_at).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='device_key',
    meta={
        'key_only_column': 'session_id',
        'keeps_replaced_rows': true,
        'tests_last_load': 'sessionized_at',
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook="{{ create_replaced_rows() }}",
) }}

with

{% if is_incremental() -%}
    touched_devices as (
        -- the devices sessionized after this table's latest marker
        select distinct sessionized.device_key
        from {{ ref('int_sessions__sessionized') }} as sessionized
        where
            sessionized.sessionized_at
            > {{ incremental_watermark('sessionized_at') }}
        union
        -- the devices it holds no more (all their events erased)
        select previous.device_key
        from {{ this }} as previous
        where not exists (
            select 1
            from {{ ref('int_sessions__sessionized') }} as kept
            where kept.device_key = previous.device_key
        )
    ),

{% endif -%}

events as (
    select sessionized.*
    from {{ ref('int_sessions__sessionized') }} as sessionized
    {%- if is_incremental() %}
        where
            sessionized.device_key in (
                select touched_devices.device_key from touched_devices
            )
    {%- endif %}
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
            as duration_seconds,
        max(sessionized_at) as sessionized_at
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
        user_id_hash,
        sessionized_at
    from traffic_named
    {%- if is_incremental() %}
        union all
        -- a device left without sessions: a row of its key alone, for
        -- replace_keys to delete its earlier rows
        select
            null as session_id,
            touched_devices.device_key,
            null as device_key_type,
            null as platform,
            null as device_type,
            null as started_at,
            null as ended_at,
            null as duration_seconds,
            null as page_views,
            null as events,
            null as landing_page,
            null as channel_group,
            null as source,
            null as medium,
            null as campaign,
            null as is_bounce,
            null as has_conversion,
            null as is_logged_in,
            null as user_id_hash,
            null as sessionized_at
        from touched_devices
        where not exists (
            select 1
            from events
            where events.device_key = touched_devices.device_key
        )
    {%- endif %}
)

select * from final
