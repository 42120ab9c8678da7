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
--
-- Incremental, replace_keys by device: a session depends on every earlier
-- event of its device, so a build sessionizes again, whole, the devices with
-- a new event and those whose earlier events changed; the other devices keep
-- their rows, and their session numbers. The devices whose earlier events
-- changed are those of the events int_sessions__events replaced since this
-- table's latest marker (its `__replaced` companion, which this model
-- prunes through what int_journeys__conversion_events, its other reader,
-- has read); when the events were written whole since (a full refresh of
-- them alone), every event this table holds is compared with them instead.
-- tests_last_load: a daily build's data tests check the rows it wrote; an
-- event's rows are written together, as the devices it was and is on are
-- both sessionized again.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='device_key',
    meta={'key_only_column': 'message_id', 'tests_last_load': 'sessionized_at'},
    on_schema_change='fail',
    post_hook="{{ prune_replaced_rows(
        ref('int_sessions__events'),
        read_through([
            [this, 'sessionized_at'],
            [later_reader('int_journeys__conversion_events'), 'written_at'],
        ])
    ) }}",
) }}
{%- set events_relation = ref('int_sessions__events') %}
{%- set by_replaced = false %}
{%- if is_incremental() and this is not string %}
    {#- a unit test's `this` is a fixture: it compares every event -#}
    {%- set sessionized_through = incremental_watermark('sessionized_at') %}
    {%- set by_replaced = not rewritten_since(
        events_relation, 'staged_at', sessionized_through
    ) %}
{%- endif %}

{%- set in_scope -%}
    {%- if is_incremental() %}
    where device_key in (select device_key from touched_devices)
    {%- endif %}
{%- endset %}

with

{% if is_incremental() -%}
    touched_devices as (
        -- the devices with an event loaded after the latest load marker this
        -- table holds
        select events.device_key
        from {{ ref('int_sessions__events') }} as events
        where events.loaded_at > {{ incremental_watermark('loaded_at') }}
        union
        -- the devices of an event this table holds that the events no longer
        -- hold as they were loaded: erased, quarantined or gone from a file
        -- delivered again, or now taken from another receipt of its messageId
        {%- if by_replaced %}
            -- (the events replaced since this table's latest marker)
            select replaced.device_key
            from {{ replaced_rows_relation(events_relation) }} as replaced
            where replaced.replaced_at > {{ sessionized_through }}
        {%- else %}
            select previous.device_key
            from {{ this }} as previous
            where not exists (
                select 1
                from {{ events_relation }} as kept
                where
                    kept.platform = previous.platform
                    and kept.message_id = previous.message_id
                    and kept.loaded_at = previous.loaded_at
            )
        {%- endif %}
    ),

{% endif -%}

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
    {{- in_scope }}
),

flagged as (
    select
        *,
        lag(occurred_at) over (
            partition by device_key order by occurred_at, message_id
        ) as previous_at,
        {{ last_value_ignore_nulls('source_key') }} over (
            partition by device_key order by occurred_at, message_id
            rows between unbounded preceding and 1 preceding
        ) as previous_source_key
    from sourced
),

numbered as (
    select
        platform,
        message_id,
        cast(sum(
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
        ) as bigint) as session_number
    from flagged
),

events as (
    select
        events.*,
        numbered.session_number
    from (
        select * from {{ ref('int_sessions__events') }}
        {{- in_scope }}
    ) as events
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
        campaign,
        source_file,
        loaded_at,
        {{ loaded_at() }} as sessionized_at
    from events
    {%- if is_incremental() %}
        union all
        -- a device left without events (all of them erased): a row of its key
        -- alone, for replace_keys to delete its earlier rows
        select
            null as session_id,
            touched_devices.device_key,
            null as device_key_type,
            null as session_number,
            null as platform,
            null as message_id,
            null as user_id_hash,
            null as occurred_at,
            null as event_type,
            null as event_name,
            null as page_path,
            null as is_view,
            null as is_conversion,
            null as order_id,
            null as device_type,
            null as source,
            null as medium,
            null as campaign,
            null as source_file,
            null as loaded_at,
            null as sessionized_at
        from touched_devices
        where not exists (
            select 1
            from {{ ref('int_sessions__events') }} as kept
            where kept.device_key = touched_devices.device_key
        )
    {%- endif %}
)

select * from final
