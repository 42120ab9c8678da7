-- One row per session with its person and GA4's last non-direct click: a
-- direct session takes the channel of the latest earlier session of the
-- same person (or device) that came through another channel, within
-- last_non_direct_lookback_days. The person is the one of the session's
-- record (int_identity__record_persons: the account logged in during the
-- session, else the device's person).
--
-- Incremental by session (replace_keys on session_id), a person (or a
-- device without one) at a time: the last non-direct click looks back over
-- the person's sessions, so a build takes again every session of the
-- persons and devices whose sessions it measured again (a device
-- int_sessions__sourced sessionized again, or left without sessions: its
-- `__replaced` companion, which this model empties) or tied again
-- (int_identity__record_persons), under their person before and now; a
-- session no longer measured loses its row. The rows it replaces are kept
-- for fct_sessions.
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (stitched_at); a session's row is written whole (macro
-- get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='session_id',
    meta={
        'key_only_column': 'started_at',
        'keeps_replaced_rows': true,
        'tests_last_load': 'stitched_at'
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook=[
        "{{ prune_replaced_rows(
            ref('int_sessions__sourced'),
            '(select max(stitched_at) from ' ~ this ~ ')'
        ) }}",
        "{{ create_replaced_rows() }}",
    ],
) }}

{%- set sourced_relation = ref('int_sessions__sourced') %}
{%- set record_persons_relation = ref('int_identity__record_persons') %}
{%- set redo_all = false %}
{%- if is_incremental() %}
    {%- set stitched_through = incremental_watermark('stitched_at') %}
    {%- set redo_all = rewritten_since(
        sourced_relation, 'sessionized_at', stitched_through
    ) or rewritten_since(
        record_persons_relation, 'tied_at', stitched_through
    ) %}
{%- endif %}

with

{% if is_incremental() -%}
    -- the devices sessionized again since this table's latest marker, and
    -- those left without sessions (all their events erased)
    measured_devices as (
        {{ written_or_replaced_since(
            sourced_relation, 'device_key', 'sessionized_at', stitched_through
        ) }}
    ),

    tied_sessions as (
        -- the sessions tied to a person again since
        select record_persons.record_id as session_id
        from {{ record_persons_relation }} as record_persons
        where
            record_persons.record_type = 'session'
            and record_persons.tied_at > {{ stitched_through }}
    ),

    touched_now as (
        -- those sessions as they are now, with their person now
        select
            sourced.session_id,
            coalesce(record_persons.person_id, sourced.device_key)
                as partition_key
        from {{ sourced_relation }} as sourced
        left join {{ record_persons_relation }} as record_persons
            on
                record_persons.record_type = 'session'
                and sourced.session_id = record_persons.record_id
        where
            sourced.device_key
            in (select measured_devices.device_key from measured_devices)
            or sourced.session_id
            in (select tied_sessions.session_id from tied_sessions)
    ),

    touched_partitions as (
        -- the persons (or devices) of those sessions, now and before{{
            '; every one: the sessions or the persons were written whole since'
            if redo_all else '' }}
        select partition_key from touched_now
        union
        select coalesce(previous.person_id, previous.device_key)
        from {{ this }} as previous
        where
            previous.device_key
            in (select measured_devices.device_key from measured_devices)
            or previous.session_id
            in (select tied_sessions.session_id from tied_sessions)
        {%- if redo_all %}
            union
            select coalesce(previous.person_id, previous.device_key)
            from {{ this }} as previous
        {%- endif %}
    ),

    scope as (
        -- every session of those persons and devices: the sessions touched,
        -- and the others, whose person has not changed since
        select touched_now.session_id from touched_now
        union
        select previous.session_id
        from {{ this }} as previous
        where
            coalesce(previous.person_id, previous.device_key)
            in (select touched_partitions.partition_key from touched_partitions)
    ),

{% endif -%}

sessions as (
    select sourced.*
    from {{ sourced_relation }} as sourced
    {%- if is_incremental() and not redo_all %}
        where sourced.session_id in (select scope.session_id from scope)
    {%- endif %}
),

record_persons as (
    select * from {{ record_persons_relation }}
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
        {{ last_value_ignore_nulls(
            "case when channel_group <> 'Direct' then session_id end"
        ) }} over (
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
        device_key,
        {{ loaded_at() }} as stitched_at
    from looked_back
    {%- if is_incremental() %}
        union all
        -- a session of the scope no longer measured: a row of its key
        -- alone, for replace_keys to delete it
        select {{ key_only_rows({'session_id': 'scope.session_id'}) }}
        from scope
        where
            scope.session_id
            not in (select sessions.session_id from sessions)
    {%- endif %}
)

select * from final
