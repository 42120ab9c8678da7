-- One row per funnel period, breakdown, breakdown value and step: persons
-- who reached the step (a closed funnel counted per person, see
-- int_funnel__attempts), conversion from the previous step and from the
-- start, drop-off from the previous step, and the median hours from the
-- previous step. Breakdowns: `all`, `acquisition_channel` (channel of the
-- person's first touch), `platform` and `device_type` (of the session that
-- entered the funnel), `first_touch_campaign`, and `cohort_week` (week of
-- the person's first touch). A missing value is `(none)`.
{%- set breakdowns = [
    ('all', "'all'"),
    ('acquisition_channel', 'persons.acquisition_channel'),
    ('platform', 'attempts.entry_platform'),
    ('device_type', 'attempts.entry_device_type'),
    ('first_touch_campaign', 'persons.acquisition_campaign'),
    ('cohort_week', dbt.cast(
        dbt.date_trunc('week', 'persons.first_touch_at'), dbt.type_string()
    )),
] %}
with

attempts as (
    select * from {{ ref('int_funnel__attempts') }}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

steps as (
    select * from {{ ref('funnel_steps') }}
),

broken_down as (
    {% for name, expression in breakdowns %}
        select
            attempts.period_start,
            '{{ name }}' as breakdown,
            coalesce(
                {{ dbt.cast(expression, dbt.type_string()) }}, '(none)'
            ) as breakdown_value,
            attempts.person_id,
            attempts.step_order,
            attempts.hours_from_previous
        from attempts
        {% if 'persons.' in expression %}
            left join persons on attempts.person_id = persons.person_id
        {% endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

counted as (
    select
        period_start,
        breakdown,
        breakdown_value,
        step_order,
        -- a person has one row per period and step (int_funnel__attempts'
        -- grain, tested) and one value per breakdown and period: count(*)
        -- counts persons, without count(distinct)'s hash set per group
        count(*) as persons,
        {{ median('hours_from_previous') }} as median_hours_from_previous
    from broken_down
    group by period_start, breakdown, breakdown_value, step_order
),

grid as (
    -- every step for every group that entered, reached or not
    select
        entered.period_start,
        entered.breakdown,
        entered.breakdown_value,
        steps.step_order,
        steps.step
    from counted as entered
    cross join steps
    where entered.step_order = 1
),

filled as (
    select
        grid.*,
        coalesce(counted.persons, 0) as persons,
        counted.median_hours_from_previous
    from grid
    left join counted
        on
            grid.period_start = counted.period_start
            and grid.breakdown = counted.breakdown
            and grid.breakdown_value = counted.breakdown_value
            and grid.step_order = counted.step_order
),

final as (
    select
        period_start,
        breakdown,
        breakdown_value,
        step_order,
        step,
        persons,
        cast(persons as {{ type_double() }}) / nullif(lag(persons) over (
            partition by period_start, breakdown, breakdown_value
            order by step_order
        ), 0) as conversion_from_previous,
        cast(persons as {{ type_double() }})
        / nullif(first_value(persons) over (
            partition by period_start, breakdown, breakdown_value
            order by step_order
            rows between unbounded preceding and current row
        ), 0) as conversion_from_start,
        lag(persons) over (
            partition by period_start, breakdown, breakdown_value
            order by step_order
        ) - persons as drop_off,
        median_hours_from_previous
    from filled
)

select * from final
