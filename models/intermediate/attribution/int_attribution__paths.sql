-- One row per distinct channel path of the journeys, with how many journeys
-- that followed it converted and how many did not: the input of the
-- data-driven models. A path is the journey's runs of touches (consecutive
-- touches through one channel count once, fractribution's "exposure"
-- transform); a Markov chain is unchanged by that, since a repeated state
-- only loops on itself. Counted from int_attribution__journey_paths, which
-- keeps each journey's path a person at a time (one narrow row per
-- journey), whole by every build: any day's journeys change the counts.
with

journey_paths as (
    select * from {{ ref('int_attribution__journey_paths') }}
),

final as (
    select
        channel_path,
        count(case when is_converting then 1 end) as conversions,
        count(case when not is_converting then 1 end) as non_conversions
    from journey_paths
    group by channel_path
)

select * from final
