-- One row per person and lifecycle signal occurrence: what the stage rules
-- (seed lifecycle_stage_rules) are made of. Behaviour counts through the
-- person of its session (int_journeys__person_events), an event giving the
-- signal seed segment_events names; purchases through the conversions; NPS
-- answers of 9 or 10 through the person of the answer (int_stages__promoters).
--
-- Incremental a person at a time (replace_keys on person_id): a build
-- computes again the signals of the persons whose touchpoints, sessions,
-- conversions or answers changed since its latest marker
-- (int_journeys__person_changes, macro of_changed_persons).
-- tests_last_load: a daily build's data tests check the persons it wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'signal_name', 'tests_last_load': 'refreshed_at'},
    on_schema_change='fail',
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}

with

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
    {{ of_changed_persons(person_changes) }}
),

sessions as (
    select * from {{ ref('int_sessions__stitched') }}
    {{ of_changed_persons(person_changes) }}
),

person_events as (
    select * from {{ ref('int_journeys__person_events') }}
    {{ of_changed_persons(person_changes) }}
),

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
    {{ of_changed_persons(person_changes) }}
),

promoter_answers as (
    select * from {{ ref('int_stages__promoters') }}
    {{ of_changed_persons(person_changes) }}
),

segment_events as (
    select * from {{ ref('segment_events') }}
),

touches as (
    select
        person_id,
        'touch' as signal_name,
        touched_at as occurred_at,
        touchpoint_id as source_record_id
    from touchpoints
    where
        person_id is not null
        and touch_type in (
            'session_start', 'email_open', 'email_click', 'store_visit'
        )
),

email_clicks as (
    select
        person_id,
        'email_click' as signal_name,
        touched_at as occurred_at,
        touchpoint_id as source_record_id
    from touchpoints
    where person_id is not null and touch_type = 'email_click'
),

second_sessions as (
    select
        person_id,
        'second_session' as signal_name,
        started_at as occurred_at,
        session_id as source_record_id
    from (
        select
            person_id,
            started_at,
            session_id,
            row_number() over (
                partition by person_id order by started_at, session_id
            ) as session_rank
        from sessions
        where person_id is not null
    ) as ranked
    where session_rank = 2
),

events as (
    select
        person_events.person_id,
        segment_events.lifecycle_signal as signal_name,
        person_events.occurred_at,
        person_events.platform || ':' || person_events.message_id
            as source_record_id
    from person_events
    inner join segment_events
        on person_events.event_name = segment_events.event_name
    where
        person_events.person_id is not null
        and segment_events.lifecycle_signal is not null
),

purchases as (
    select
        person_id,
        conversion_id,
        converted_at,
        purchase_number,
        lag(converted_at) over (
            partition by person_id order by purchase_number
        ) as previous_purchase_at
    from conversions
    where conversion_type = 'purchase' and person_id is not null
),

purchase_signals as (
    select
        person_id,
        case
            when purchase_number = 1 then 'first_purchase'
            else 'repeat_purchase'
        end as signal_name,
        converted_at as occurred_at,
        conversion_id as source_record_id
    from purchases
    where
        purchase_number = 1
        or {{ dbt.dateadd(
            'day', var('retention_window_days'), 'previous_purchase_at'
        ) }} >= converted_at
),

promoters as (
    select
        person_id,
        'nps_promoter' as signal_name,
        submitted_at as occurred_at,
        response_id as source_record_id
    from promoter_answers
),

unioned as (
    select * from touches
    union all
    select * from email_clicks
    union all
    select * from second_sessions
    union all
    select * from events
    union all
    select * from purchase_signals
    union all
    select * from promoters
),

final as (
    select
        person_id,
        signal_name,
        occurred_at,
        source_record_id,
        {{ loaded_at() }} as refreshed_at
    from unioned
)

select * from final
{{ key_only_rows_of_changed_persons(person_changes) }}
