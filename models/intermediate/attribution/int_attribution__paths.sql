-- One row per distinct channel path of the journeys, with how many journeys
-- that followed it converted and how many did not: the input of the
-- data-driven models. A path is the journey's runs of touches (consecutive
-- touches through one channel count once, fractribution's "exposure"
-- transform); a Markov chain is unchanged by that, since a repeated state
-- only loops on itself.
with

journey_touches as (
    select * from {{ ref('int_journeys__touches') }}
),

runs as (
    select distinct
        journey_id,
        is_converting,
        run_number,
        channel_group
    from journey_touches
),

journey_paths as (
    select
        journey_id,
        max(case when is_converting then 1 else 0 end) = 1 as is_converting,
        {{ ordered_string_agg(
            'channel_group', 'run_number', ' > '
        ) }} as channel_path
    from runs
    group by journey_id
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
