-- The heuristic credits of fct_attribution (first_touch, last_touch,
-- last_non_direct, linear, time_decay, position_based), one row per
-- conversion, touch of its journey and model, with the person: each
-- conversion's credits depend on its own journey only.
--   first_touch / last_touch: all to the first / last touch.
--   last_non_direct: all to the last touch not through Direct; when every
--     touch is Direct, to the last non-direct session within
--     last_non_direct_lookback_days of the last touch
--     (int_sessions__stitched), which
--     can lie before the journey; else to the last touch.
--   linear: evenly.
--   time_decay: weight 2^(-age / time_decay_half_life_days), normalised.
--   position_based: 40% first, 40% last, 20% evenly in between; 50/50 for
--     two touches, 100% for one.
--
-- Computed a person at a time, written by what changed: a build computes
-- again the credits of the persons changed since its latest marker
-- (int_journeys__person_changes) and writes only the rows that are new or
-- differ from the table's (macro rows_that_changed, scoped to those
-- persons; most of a changed person's credits stay as they were); the rows
-- it replaces are kept for fct_attribution, which copies the rows written
-- since and empties them.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['conversion_id', 'touchpoint_id', 'attribution_model'],
    meta={
        'key_only_column': 'credit',
        'keeps_replaced_rows': true,
        'tests_last_load': 'changed_at'
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook="{{ create_replaced_rows() }}",
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}

with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
    {{ of_changed_persons(person_changes, marker='changed_at') }}
),

journey_touches as (
    select * from {{ ref('int_journeys__touches') }}
    {{ of_changed_persons(person_changes, marker='changed_at') }}
),

sessions as (
    select * from {{ ref('int_sessions__stitched') }}
    {{ of_changed_persons(person_changes, marker='changed_at') }}
),

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
    {{ of_changed_persons(person_changes, marker='changed_at') }}
),

touches as (
    select
        journey_touches.*,
        conversions.converted_at,
        conversions.revenue_eur as conversion_revenue_eur,
        max(
            case
                when journey_touches.channel_group <> 'Direct'
                    then journey_touches.touch_number
            end
        ) over (partition by journey_touches.journey_id) as last_non_direct,
        power(
            0.5,
            {{ dbt.datediff(
                'journey_touches.touched_at', 'conversions.converted_at', 'second'
            ) }} / cast({{ var('time_decay_half_life_days') }} * 86400 as {{ type_double() }})
        ) as decay_weight
    from journey_touches
    inner join conversions
        on journey_touches.conversion_id = conversions.conversion_id
    where journey_touches.is_converting
),

direct_only as (
    -- journeys whose touches are all Direct and whose last touch looks back
    -- to a non-direct session outside the journey
    select
        touches.person_id,
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
        person_id,
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
        cast(1 as {{ type_double() }}) / journey_touches as linear,
        decay_weight / sum(decay_weight) over (partition by journey_id)
            as time_decay,
        case
            when journey_touches = 1 then 1.0
            when journey_touches = 2 then 0.5
            when touch_number in (1, journey_touches) then 0.4
            else cast(0.2 as {{ type_double() }}) / (journey_touches - 2)
        end as position_based
    from flagged
),

unpivoted as (
    {% for model_name in heuristic_attribution_models() %}
        select
            person_id,
            conversion_id,
            touchpoint_id,
            '{{ model_name }}' as attribution_model,
            cast({{ model_name }} as {{ type_double() }}) as credit,
            conversion_revenue_eur
        from heuristic
        union all
    {% endfor %}
    select
        person_id,
        conversion_id,
        touchpoint_id,
        'last_non_direct' as attribution_model,
        cast(1.0 as {{ type_double() }}) as credit,
        conversion_revenue_eur
    from direct_only
),

final as (
    select
        unpivoted.person_id,
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

{{ rows_that_changed(
    'final', ['conversion_id', 'touchpoint_id', 'attribution_model'], 'changed_at',
    scope=(
        "previous.person_id in ("
        ~ changed_persons(person_changes, 'changed_at') ~ ")"
    ) if is_incremental() else none
) }}
