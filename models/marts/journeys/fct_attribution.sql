-- One row per conversion, touch of its journey and attribution model, with
-- the touch's share of the conversion (credit; the credits of a conversion
-- sum to 1 in every model) and of its revenue. Conversions without a touch
-- are not attributed. Each row carries the credited touch's channel group and
-- partner (int_journeys__touchpoints).
--   first_touch / last_touch: all to the first / last touch.
--   last_non_direct: all to the last touch not through Direct; when every
--     touch is Direct, to the last non-direct session within
--     last_non_direct_lookback_days of the last touch (fct_sessions), which
--     can lie before the journey; else to the last touch.
--   linear: evenly.
--   time_decay: weight 2^(-age / time_decay_half_life_days), normalised.
--   position_based: 40% first, 40% last, 20% evenly in between; 50/50 for
--     two touches, 100% for one.
--   markov, shapley: the step credits of int_attribution__path_credits,
--     split evenly over the touches of the step's run.
with

journeys as (
    select * from {{ ref('fct_journeys') }}
),

journey_touches as (
    select * from {{ ref('int_journeys__touches') }}
),

path_credits as (
    select * from {{ ref('int_attribution__path_credits') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
),

touches as (
    select
        journey_touches.*,
        journeys.converted_at,
        journeys.revenue_eur as conversion_revenue_eur,
        max(
            case
                when journey_touches.channel_group <> 'Direct'
                    then journey_touches.touch_number
            end
        ) over (partition by journey_touches.journey_id) as last_non_direct,
        count(*) over (
            partition by journey_touches.journey_id, journey_touches.run_number
        ) as run_touches,
        power(
            0.5,
            {{ dbt.datediff(
                'journey_touches.touched_at', 'journeys.converted_at', 'second'
            ) }} / ({{ var('time_decay_half_life_days') }} * 86400.0)
        ) as decay_weight
    from journey_touches
    inner join journeys
        on journey_touches.journey_id = journeys.journey_id
    where journey_touches.is_converting
),

runs as (
    select distinct
        journey_id,
        run_number,
        channel_group
    from touches
),

journey_paths as (
    select
        journey_id,
        {{ ordered_string_agg(
            'channel_group', 'run_number', ' > '
        ) }} as channel_path
    from runs
    group by journey_id
),

direct_only as (
    -- journeys whose touches are all Direct and whose last touch looks back
    -- to a non-direct session outside the journey
    select
        touches.journey_id,
        touches.conversion_id,
        touches.conversion_revenue_eur,
        sessions.last_non_direct_session_id as touchpoint_id
    from touches
    inner join sessions on touches.touchpoint_id = sessions.session_id
    where
        touches.last_non_direct is null
        and touches.touch_number = touches.journey_touches
        and sessions.last_non_direct_session_id <> sessions.session_id
),

flagged as (
    select
        touches.*,
        direct_only.journey_id is not null as looks_back
    from touches
    left join direct_only on touches.journey_id = direct_only.journey_id
),

heuristic as (
    select
        conversion_id,
        touchpoint_id,
        conversion_revenue_eur,
        touch_number,
        journey_touches,
        case when touch_number = 1 then 1.0 else 0.0 end as first_touch,
        case
            when touch_number = journey_touches then 1.0 else 0.0
        end as last_touch,
        case
            when
                touch_number = coalesce(last_non_direct, journey_touches)
                and not looks_back
                then 1.0
            else 0.0
        end as last_non_direct,
        1.0 / journey_touches as linear,
        decay_weight / sum(decay_weight) over (partition by journey_id)
            as time_decay,
        case
            when journey_touches = 1 then 1.0
            when journey_touches = 2 then 0.5
            when touch_number in (1, journey_touches) then 0.4
            else 0.2 / (journey_touches - 2)
        end as position_based
    from flagged
),

unpivoted as (
    {% for model_name in [
        'first_touch', 'last_touch', 'last_non_direct', 'linear',
        'time_decay', 'position_based'
    ] %}
        select
            conversion_id,
            touchpoint_id,
            '{{ model_name }}' as attribution_model,
            cast({{ model_name }} as {{ type_double() }}) as credit,
            conversion_revenue_eur
        from heuristic
        union all
    {% endfor %}
    select
        conversion_id,
        touchpoint_id,
        'last_non_direct' as attribution_model,
        cast(1.0 as {{ type_double() }}) as credit,
        conversion_revenue_eur
    from direct_only
    union all
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
