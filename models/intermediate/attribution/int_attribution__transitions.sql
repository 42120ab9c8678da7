-- One row per move of the first-order Markov chain over the journeys' runs
-- (consecutive touches through one channel are one step, as in
-- int_attribution__paths), with how many journeys made it: from `(start)` to
-- the first channel, from channel to channel, and from the last channel to
-- `(conversion)` or `(null)`. The Markov model solves its removal effects
-- from these counts, whatever the number of paths.
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

steps as (
    select
        journey_id,
        is_converting,
        channel_group,
        lag(channel_group) over (
            partition by journey_id order by run_number
        ) as previous_channel,
        run_number = max(run_number) over (partition by journey_id)
            as is_last
    from runs
),

moves as (
    select
        coalesce(previous_channel, '(start)') as from_state,
        channel_group as to_state
    from steps
    union all
    select
        channel_group as from_state,
        case
            when is_converting then '(conversion)' else '(null)'
        end as to_state
    from steps
    where is_last
),

final as (
    select
        from_state,
        to_state,
        count(*) as journeys
    from moves
    group by from_state, to_state
)

select * from final
