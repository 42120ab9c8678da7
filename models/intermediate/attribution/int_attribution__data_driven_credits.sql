-- The data-driven credits of fct_attribution (markov, shapley), one row
-- per conversion, touch of its journey and model: the step credits of
-- int_attribution__path_credits for the journey's path (its runs of one
-- channel, as int_attribution__journey_paths keeps it), split evenly over
-- the touches of the step's run.
--
-- A view, computed whole once per build by fct_attribution, its only
-- reader: the path credits come from every journey, so a day's journeys
-- move the credits of nearly every path of more than one channel, hence of
-- nearly every row, and fct_attribution replaces them all: a table would
-- write every row twice a build. fct_attribution's data tests check them.
{{ config(materialized='view') }}

with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

journey_touches as (
    select * from {{ ref('int_journeys__touches') }}
),

path_credits as (
    select * from {{ ref('int_attribution__path_credits') }}
),

journey_paths as (
    select * from {{ ref('int_attribution__journey_paths') }}
    where is_converting
),

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
),

touches as (
    select
        journey_touches.*,
        conversions.revenue_eur as conversion_revenue_eur,
        count(*) over (
            partition by journey_touches.journey_id, journey_touches.run_number
        ) as run_touches
    from journey_touches
    inner join conversions
        on journey_touches.conversion_id = conversions.conversion_id
    where journey_touches.is_converting
),

unpivoted as (
    select
        touches.conversion_id,
        touches.touchpoint_id,
        path_credits.attribution_model,
        path_credits.credit / touches.run_touches as credit,
        touches.conversion_revenue_eur
    from touches
    inner join journey_paths
        on touches.journey_id = journey_paths.journey_id
    inner join path_credits
        on
            journey_paths.channel_path = path_credits.channel_path
            and touches.run_number = path_credits.step_number
),

final as (
    select
        unpivoted.conversion_id,
        unpivoted.touchpoint_id,
        unpivoted.attribution_model,
        unpivoted.credit,
        unpivoted.credit * unpivoted.conversion_revenue_eur as revenue_eur,
        touchpoints.channel_group,
        touchpoints.partner_id
    from unpivoted
    left join touchpoints
        on unpivoted.touchpoint_id = touchpoints.touchpoint_id
)

select * from final
