-- One row per person, funnel period and step they reached. A person enters
-- the funnel once per period (var funnel_period, a week by default, like a
-- GA4 date range) at their first step-1 occurrence in it; each next step is
-- its first occurrence at or after the previous step and within
-- funnel_window_days of the entry (a closed funnel, steps in order). Steps
-- come from the funnel_steps seed: `session` is a session start, any other
-- step an event name. Also: the entry session's platform and device type,
-- and cart abandonment (a Product Added in the window not followed by a
-- purchase, online or in store, within funnel_window_days).
--
-- Incremental a person at a time (replace_keys on person_id): a build
-- computes again the funnel of the persons whose sessions, events or
-- conversions changed since its latest marker (int_journeys__person_changes,
-- macro of_changed_persons). tests_last_load: a daily build's data tests
-- check the persons it wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'step_order', 'tests_last_load': 'refreshed_at'},
    on_schema_change='fail',
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}
{%- set step_count = var('funnel_max_steps') %}
with

steps as (
    select * from {{ ref('funnel_steps') }}
),

segment_events as (
    select * from {{ ref('segment_events') }}
),

-- sessions and person_events are read twice: only the columns and rows
-- used, as DuckDB materialises a CTE read twice whole
sessions as (
    select
        session_id,
        person_id,
        started_at,
        platform,
        device_type
    from {{ ref('int_sessions__stitched') }}
    {{ of_changed_persons(person_changes) }}
),

person_events as (
    -- the events of a step or a cart add, of a known person
    select
        person_id,
        occurred_at,
        session_id,
        event_name
    from {{ ref('int_journeys__person_events') }}
    where
        person_id is not null
        {{ of_changed_persons(person_changes, 'and') }}
        and (
            event_name in (select steps.event_name from steps)
            or event_name in (
                select segment_events.event_name from segment_events
                where segment_events.is_cart_add
            )
        )
),

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
    {{ of_changed_persons(person_changes) }}
),

step_events as (
    select
        steps.step_order,
        sessions.person_id,
        sessions.started_at as occurred_at,
        sessions.session_id
    from sessions
    cross join steps
    where
        sessions.person_id is not null
        and (steps.event_name is null or steps.event_name = '')
    union all
    select
        steps.step_order,
        person_events.person_id,
        person_events.occurred_at,
        person_events.session_id
    from person_events
    inner join steps on person_events.event_name = steps.event_name
),

entries as (
    select
        person_id,
        {{ dbt.date_trunc(var('funnel_period'), 'occurred_at') }}
            as period_start,
        occurred_at,
        session_id,
        row_number() over (
            partition by
                person_id,
                {{ dbt.date_trunc(var('funnel_period'), 'occurred_at') }}
            order by occurred_at, session_id
        ) as entry_rank
    from step_events
    where step_order = 1
),

step_1 as (
    select
        person_id,
        cast(period_start as date) as period_start,
        occurred_at as entered_at,
        session_id as entry_session_id,
        occurred_at as step_1_at
    from entries
    where entry_rank = 1
),

-- the chain of steps, one row per entry: each step's first occurrence at
-- or after the step before it, null once a step is not reached (a left
-- join on a null time matches nothing). Each level reads the one before it
-- once, and the last level is read once (step_chain): a step is a column,
-- not a union of step tables that each read the whole chain again (which
-- Spark, which does not materialise a CTE, planned and ran once per step)
{% for n in range(2, step_count + 1) %}
    step_{{ n }} as (
        select
            step_{{ n - 1 }}.person_id,
            step_{{ n - 1 }}.period_start,
            step_{{ n - 1 }}.entered_at,
            step_{{ n - 1 }}.entry_session_id,
            {% for m in range(1, n) -%}
                step_{{ n - 1 }}.step_{{ m }}_at,
            {% endfor -%}
            min(step_events.occurred_at) as step_{{ n }}_at
        from step_{{ n - 1 }}
        left join step_events
            on
                step_{{ n - 1 }}.person_id = step_events.person_id
                and step_events.step_order = {{ n }}
                and step_{{ n - 1 }}.step_{{ n - 1 }}_at
                <= step_events.occurred_at
                and {{ dbt.dateadd(
                    'day', var('funnel_window_days'),
                    'step_' ~ (n - 1) ~ '.entered_at'
                ) }} >= step_events.occurred_at
        group by
            step_{{ n - 1 }}.person_id,
            step_{{ n - 1 }}.period_start,
            step_{{ n - 1 }}.entered_at,
            step_{{ n - 1 }}.entry_session_id,
            {% for m in range(1, n) -%}
                step_{{ n - 1 }}.step_{{ m }}_at
                {%- if not loop.last %},{% endif %}
            {% endfor %}
    ),

{% endfor %}

-- each step reached with the time of the step before it: the chain's step
-- columns, one row per step (no window sorts the steps: DuckDB 1.4's window
-- operator ran out of memory on this model with pools of 1.0 to 1.3 GiB at
-- 100k persons, though not with smaller or larger ones)
reached as (
    select
        step_chain.person_id,
        step_chain.period_start,
        step_chain.entered_at,
        step_chain.entry_session_id,
        steps.step_order,
        steps.step,
        case steps.step_order
            {% for n in range(1, step_count + 1) -%}
                when {{ n }} then step_chain.step_{{ n }}_at
            {% endfor -%}
        end as reached_at,
        case steps.step_order
            {% for n in range(2, step_count + 1) -%}
                when {{ n }} then step_chain.step_{{ n - 1 }}_at
            {% endfor -%}
        end as previous_at,
        case
            {% for n in range(step_count, 1, -1) -%}
                when step_chain.step_{{ n }}_at is not null then {{ n }}
            {% endfor -%}
            else 1
        end as last_step_order
    from step_{{ step_count }} as step_chain
    cross join steps
),

adds as (
    select
        step_1.person_id,
        step_1.period_start,
        min(person_events.occurred_at) as added_at
    from step_1
    inner join person_events
        on step_1.person_id = person_events.person_id
    inner join segment_events
        on
            person_events.event_name = segment_events.event_name
            and segment_events.is_cart_add
    where
        step_1.entered_at <= person_events.occurred_at
        and {{ dbt.dateadd(
            'day', var('funnel_window_days'), 'step_1.entered_at'
        ) }} >= person_events.occurred_at
    group by step_1.person_id, step_1.period_start
),

abandoned as (
    select
        adds.person_id,
        adds.period_start,
        adds.added_at,
        count(conversions.conversion_id) = 0 as is_cart_abandoned
    from adds
    left join conversions
        on
            adds.person_id = conversions.person_id
            and conversions.conversion_type = 'purchase'
            and adds.added_at <= conversions.converted_at
            and {{ dbt.dateadd(
                'day', var('funnel_window_days'), 'adds.added_at'
            ) }} >= conversions.converted_at
    group by adds.person_id, adds.period_start, adds.added_at
),

final as (
    select
        reached.person_id,
        reached.period_start,
        reached.step_order,
        reached.step,
        reached.reached_at,
        reached.entered_at,
        {{ dbt.datediff(
            'reached.previous_at', 'reached.reached_at', 'millisecond'
        ) }} / cast(3600000 as {{ type_double() }}) as hours_from_previous,
        reached.last_step_order,
        entry_sessions.platform as entry_platform,
        entry_sessions.device_type as entry_device_type,
        abandoned.added_at,
        coalesce(abandoned.is_cart_abandoned, false) as is_cart_abandoned,
        {{ loaded_at() }} as refreshed_at
    from reached
    inner join sessions as entry_sessions
        on reached.entry_session_id = entry_sessions.session_id
    left join abandoned
        on
            reached.person_id = abandoned.person_id
            and reached.period_start = abandoned.period_start
    where reached.reached_at is not null
)

select * from final
{{ key_only_rows_of_changed_persons(person_changes) }}
