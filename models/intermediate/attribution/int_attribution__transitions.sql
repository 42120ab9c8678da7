-- One row per move of the first-order Markov chain over the journeys' runs
-- (consecutive touches through one channel are one step, as in
-- int_attribution__paths), with how many journeys made it: from `(start)` to
-- the first channel, from channel to channel, and from the last channel to
-- `(conversion)` or `(null)`. The Markov model solves its removal effects
-- from these counts, whatever the number of paths.
--
-- Counted from the distinct paths (int_attribution__paths), each step of a
-- path weighted by the journeys that followed it: a journey's moves are
-- those of its path, so the touches are not read again.
with

paths as (
    select * from {{ ref('int_attribution__paths') }}
),

steps as (
    {{ path_steps('paths', 'channel_path', ' > ') }}
),

ordered as (
    select
        channel_path,
        conversions,
        non_conversions,
        step_number,
        channel_group,
        lag(channel_group) over (
            partition by channel_path order by step_number
        ) as previous_channel,
        step_number = max(step_number) over (partition by channel_path)
            as is_last
    from steps
),

moves as (
    select
        coalesce(previous_channel, '(start)') as from_state,
        channel_group as to_state,
        conversions + non_conversions as journeys
    from ordered
    union all
    select
        channel_group as from_state,
        '(conversion)' as to_state,
        conversions as journeys
    from ordered
    where is_last and conversions > 0
    union all
    select
        channel_group as from_state,
        '(null)' as to_state,
        non_conversions as journeys
    from ordered
    where is_last and non_conversions > 0
),

final as (
    select
        from_state,
        to_state,
        cast(sum(journeys) as bigint) as journeys
    from moves
    group by from_state, to_state
)

select * from final
