-- The touchpoints of int_journeys__touchpoints, as BI tools read them.
--
-- Incremental by touchpoint (replace_keys): a build copies the rows
-- int_journeys__touchpoints wrote since the latest marker this table holds
-- (changed_at, kept) and deletes the ones it replaced or deleted; the last
-- reader of its `__replaced` companion, it empties it after
-- int_journeys__person_changes has read it too (after the commit: the
-- companion lives in the build file, this table in the served one).
-- depends_on: {{ ref('int_journeys__person_changes') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='touchpoint_id',
    meta={'key_only_column': 'touched_at', 'tests_last_load': 'changed_at'},
    on_schema_change='fail',
    post_hook=outside_transaction("{{ prune_replaced_rows(
        ref('int_journeys__touchpoints'),
        read_through([
            [ref('int_journeys__person_changes'), 'changed_at'],
            [this, 'changed_at']
        ])
    ) }}"),
) }}

with

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
    {{ where_written_since('changed_at') }}
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
        partner_id,
        platform,
        device_key,
        session_id,
        is_attributable,
        changed_at
    from touchpoints
)

select * from final
{{ key_only_rows_of_replaced(
    ref('int_journeys__touchpoints'), 'touchpoint_id', 'changed_at'
) }}
