-- The sessions of int_sessions__stitched, as BI tools read them.
--
-- Incremental by session (replace_keys): a build copies the sessions
-- int_sessions__stitched wrote since the latest marker this table holds
-- (stitched_at, kept) and deletes the ones it replaced; the last reader of
-- its `__replaced` companion, it empties it after int_journeys__touchpoints
-- has read it too (after the commit: the companion lives in the build file,
-- this table in the served one).
-- depends_on: {{ ref('int_journeys__touchpoints') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='session_id',
    meta={'key_only_column': 'started_at', 'tests_last_load': 'stitched_at'},
    on_schema_change='fail',
    post_hook=outside_transaction("{{ prune_replaced_rows(
        ref('int_sessions__stitched'),
        read_through([
            [ref('int_journeys__touchpoints'), 'changed_at'],
            [this, 'stitched_at']
        ])
    ) }}"),
) }}

with

sessions as (
    select * from {{ ref('int_sessions__stitched') }}
    {{ where_written_since('stitched_at') }}
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
        device_key,
        stitched_at
    from sessions
)

select * from final
{{ key_only_rows_of_replaced(
    ref('int_sessions__stitched'), 'session_id', 'stitched_at'
) }}
