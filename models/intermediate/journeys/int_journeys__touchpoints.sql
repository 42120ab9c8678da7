-- One row per marketing touch a person had: the start of every web or app
-- session, every email open and click, every push notification open and
-- every store visit. Journeys and attribution read the touches flagged
-- is_attributable: the session an email click or a push open starts already
-- carries the click's channel, so the click itself is not counted twice.
--
-- Written by what changed (macro rows_that_changed): a build writes only the
-- touches that are new or differ from the table's, marked changed_at, and
-- deletes those gone; the rows it replaces are kept for
-- int_journeys__person_changes, which tells the per-person models whose
-- touches changed. The session starts and push opens are computed again
-- only for the sessions int_sessions__stitched wrote or replaced since this
-- table's latest marker (a session's touches come from it and its events,
-- which re-stitch it when they change); the email and store touches, few,
-- whole. tests_last_load: a daily build's data tests check the rows it
-- wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='touchpoint_id',
    meta={
        'key_only_column': 'touched_at',
        'keeps_replaced_rows': true,
        'tests_last_load': 'changed_at'
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook="{{ create_replaced_rows() }}",
) }}
{%- set stitched = ref('int_sessions__stitched') %}
{%- if is_incremental() %}
    {%- set since = incremental_watermark('changed_at') %}
    {#- stitched written whole since (a full refresh of it alone): its
        companion no longer lists the sessions it dropped, so take them all -#}
    {%- set by_session = not rewritten_since(stitched, 'stitched_at', since) %}
{%- else %}
    {%- set by_session = false %}
{%- endif %}

with

{% if by_session -%}
    -- the sessions stitched or replaced since this table's latest marker
    changed_sessions as (
        {{ written_or_replaced_since(
            stitched, 'session_id', 'stitched_at', since
        ) }}
    ),

{% endif -%}

sessions as (
    select stitched.*
    from {{ stitched }} as stitched
    {%- if by_session %}
        where stitched.session_id in (
            select changed_sessions.session_id from changed_sessions
        )
    {%- endif %}
),

person_events as (
    select person_events.*
    from {{ ref('int_journeys__person_events') }} as person_events
    {%- if by_session %}
        where person_events.session_id in (
            select changed_sessions.session_id from changed_sessions
        )
    {%- endif %}
),

email_events as (
    select * from {{ ref('stg_crm__email_events') }}
),

store_sales as (
    select * from {{ ref('int_journeys__store_sales') }}
),

segment_events as (
    select * from {{ ref('segment_events') }}
),

record_persons as (
    select * from {{ ref('int_identity__record_persons') }}
),

session_starts as (
    select
        session_id as touchpoint_id,
        person_id,
        started_at as touched_at,
        'session_start' as touch_type,
        channel_group,
        source,
        medium,
        campaign,
        platform,
        device_key,
        session_id,
        true as is_attributable
    from sessions
),

push_opens as (
    -- the session the open starts carries the person and the device
    select
        {{ surrogate_key(["'push'", 'person_events.message_id']) }}
            as touchpoint_id,
        person_events.person_id,
        person_events.occurred_at as touched_at,
        'push_open' as touch_type,
        {{ channel_group(
            "coalesce(person_events.source, 'push')",
            "coalesce(person_events.medium, 'push')",
            'person_events.campaign',
            'null'
        ) }} as channel_group,
        coalesce(person_events.source, 'push') as source,
        coalesce(person_events.medium, 'push') as medium,
        person_events.campaign,
        'app' as platform,
        person_events.device_key,
        person_events.session_id,
        false as is_attributable
    from person_events
    inner join segment_events
        on person_events.event_name = segment_events.event_name
    where
        person_events.platform = 'app'
        and segment_events.touch_type = 'push_open'
),

emails as (
    select
        email_events.email_event_id,
        email_events.event_type,
        email_events.occurred_at,
        email_events.utm_source,
        email_events.utm_medium,
        email_events.utm_campaign,
        email_events.campaign_name,
        record_persons.person_id
    from email_events
    left join record_persons
        on
            record_persons.record_type = 'email_event'
            and email_events.email_event_id = record_persons.record_id
    where
        email_events.event_type in ('open', 'click')
        and not coalesce(record_persons.is_erased, false)
),

email_touches as (
    select
        {{ surrogate_key(["'email'", 'email_event_id']) }} as touchpoint_id,
        person_id,
        occurred_at as touched_at,
        'email_' || event_type as touch_type,
        {{ channel_group(
            "coalesce(utm_source, 'newsletter')",
            "coalesce(utm_medium, 'email')",
            'utm_campaign',
            'null'
        ) }} as channel_group,
        coalesce(lower(utm_source), 'newsletter') as source,
        coalesce(lower(utm_medium), 'email') as medium,
        coalesce(utm_campaign, campaign_name) as campaign,
        'email' as platform,
        cast(null as {{ dbt.type_string() }}) as device_key,
        cast(null as {{ dbt.type_string() }}) as session_id,
        event_type = 'open' as is_attributable
    from emails
),

store_visits as (
    select
        {{ surrogate_key(["'store'", 'transaction_id']) }} as touchpoint_id,
        person_id,
        occurred_at as touched_at,
        'store_visit' as touch_type,
        'Store' as channel_group,
        lower(store_id) as source,
        'store' as medium,
        cast(null as {{ dbt.type_string() }}) as campaign,
        'store' as platform,
        cast(null as {{ dbt.type_string() }}) as device_key,
        cast(null as {{ dbt.type_string() }}) as session_id,
        true as is_attributable
    from store_sales
    where not is_erased
),

unioned as (
    select * from session_starts
    union all
    select * from push_opens
    union all
    select * from email_touches
    union all
    select * from store_visits
),

final as (
    select
        touchpoint_id,
        person_id,
        touched_at,
        touch_type,
        channel_group,
        source,
        medium,
        campaign,
        {{ partner_id('channel_group', 'source') }} as partner_id,
        platform,
        device_key,
        session_id,
        is_attributable
    from unioned
)

{{ rows_that_changed(
    'final', 'touchpoint_id', 'changed_at',
    scope=(
        "previous.session_id is null or previous.session_id in"
        ~ " (select changed_sessions.session_id from changed_sessions)"
    ) if by_session else none
) }}
