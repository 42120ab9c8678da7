-- One row per event with the session it belongs to. A new session starts on
-- a device after session_timeout_minutes without an event and, on the web
-- when session_split_on_campaign, when a page brings another traffic source
-- than the last one seen on the device (GA4's rule). App sessions split on
-- inactivity only: an app open carries its campaign after the install event.
--
-- The windows sort narrow columns only (device, time, message id, source),
-- and the session numbers are joined back to the events: sorting the wide
-- rows ran out of memory at 1M persons. The events are read twice, not
-- through one CTE (a CTE read twice is materialised whole).
with

sourced as (
    select
        platform,
        message_id,
        device_key,
        occurred_at,
        case
            when source is not null
                then
                    coalesce(source, '') || '|' || coalesce(medium, '')
                    || '|' || coalesce(campaign, '')
        end as source_key
    from {{ ref('int_sessions__events') }}
),

flagged as (
    select
        *,
        lag(occurred_at) over (
            partition by device_key order by occurred_at, message_id
        ) as previous_at,
        last_value(source_key ignore nulls) over (
            partition by device_key order by occurred_at, message_id
            rows between unbounded preceding and 1 preceding
        ) as previous_source_key
    from sourced
),

numbered as (
    select
        platform,
        message_id,
        sum(
            case
                when previous_at is null then 1
                when
                    {{ dbt.datediff('previous_at', 'occurred_at', 'second') }}
                    > {{ var('session_timeout_minutes') }} * 60
                    then 1
                {% if var('session_split_on_campaign') %}
                    when
                        platform = 'web'
                        and source_key is not null
                        and source_key is distinct from previous_source_key
                        then 1
                {% endif %}
                else 0
            end
        ) over (
            partition by device_key order by occurred_at, message_id
            rows between unbounded preceding and current row
        ) as session_number
    from flagged
),

events as (
    select
        events.*,
        numbered.session_number
    from {{ ref('int_sessions__events') }} as events
    inner join numbered
        on
            events.platform = numbered.platform
            and events.message_id = numbered.message_id
),

final as (
    select
        {{ surrogate_key(['device_key', 'session_number']) }} as session_id,
        device_key,
        device_key_type,
        session_number,
        platform,
        message_id,
        user_id_hash,
        occurred_at,
        event_type,
        event_name,
        page_path,
        is_view,
        is_conversion,
        order_id,
        device_type,
        source,
        medium,
        campaign
    from events
)

select * from final
