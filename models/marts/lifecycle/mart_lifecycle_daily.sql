-- One row per day and lifecycle stage: how many persons entered the stage
-- that day, and how many were in it at the end of the day (entered it and
-- not yet the next one). Stages are monotone, so the persons in a stage are
-- those who entered it minus those who entered the next, both cumulated.
-- Days come from dim_dates (vars date_spine_start / date_spine_end).
with

transitions as (
    select * from {{ ref('fct_stage_transitions') }}
),

rules as (
    select * from {{ ref('lifecycle_stage_rules') }}
),

dates as (
    select * from {{ ref('dim_dates') }}
),

stages as (
    select distinct
        stage,
        stage_order
    from rules
),

bounds as (
    select
        cast(min(entered_at) as date) as first_day,
        cast(max(entered_at) as date) as last_day
    from transitions
),

days as (
    -- the calendar (dim_dates) over the days with stage entries
    select dates.date_day
    from dates
    inner join bounds
        on dates.date_day between bounds.first_day and bounds.last_day
),

entered as (
    select
        cast(entered_at as date) as date_day,
        stage_order,
        count(*) as persons_entered
    from transitions
    group by cast(entered_at as date), stage_order
),

grid as (
    select
        days.date_day,
        stages.stage,
        stages.stage_order,
        coalesce(entered.persons_entered, 0) as persons_entered
    from days
    cross join stages
    left join entered
        on
            days.date_day = entered.date_day
            and stages.stage_order = entered.stage_order
),

cumulated as (
    select
        *,
        cast(sum(persons_entered) over (
            partition by stage_order
            order by date_day
            rows between unbounded preceding and current row
        ) as bigint) as persons_reached
    from grid
),

final as (
    select
        cumulated.date_day as date,  -- noqa: RF04
        cumulated.stage,
        cumulated.stage_order,
        cumulated.persons_entered,
        cumulated.persons_reached
        - coalesce(next_stage.persons_reached, 0) as persons_in_stage,
        cumulated.persons_reached
    from cumulated
    left join cumulated as next_stage
        on
            cumulated.date_day = next_stage.date_day
            and cumulated.stage_order + 1 = next_stage.stage_order
)

select * from final
