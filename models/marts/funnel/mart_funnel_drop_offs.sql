-- One row per consented person and funnel period: the last step they
-- reached, the step they dropped out before, and whether they abandoned a
-- cart (a Product Added not followed by a purchase within
-- funnel_window_days). Only persons whose latest CRM consent allows
-- marketing are listed: this is a retargeting audience.
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

last_steps as (
    select * from attempts
    where step_order = last_step_order
),

final as (
    select
        last_steps.person_id,
        last_steps.period_start,
        last_steps.entered_at,
        last_steps.step_order as last_step_order,
        last_steps.step as last_step,
        next_steps.step as dropped_before_step,
        next_steps.step_order is null as is_completed,
        last_steps.added_at,
        last_steps.is_cart_abandoned
    from last_steps
    inner join persons
        on last_steps.person_id = persons.person_id
    left join steps as next_steps
        on last_steps.step_order + 1 = next_steps.step_order
    where persons.has_marketing_consent
)

select * from final
