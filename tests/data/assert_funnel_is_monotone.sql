-- A closed funnel never grows: in every period, breakdown and value, each
-- step has at most the persons of the step before, and step 1 converts
-- 100% from the start. Returns the offending rows.
with

funnel as (
    select * from {{ ref('mart_funnel') }}
),

checked as (
    select
        *,
        lag(persons) over (
            partition by period_start, breakdown, breakdown_value
            order by step_order
        ) as previous_persons
    from funnel
),

final as (
    select
        period_start,
        breakdown,
        breakdown_value,
        step_order,
        persons,
        previous_persons
    from checked
    where
        persons > previous_persons
        or (step_order = 1 and conversion_from_start <> 1)
        or persons < 0
)

select * from final
