-- One row per journey and touch in it. A converting journey holds the
-- attributable touches of the conversion's person in the
-- journey_lookback_days before it, after their previous conversion of the
-- same kind; a non-converting journey holds a person's touches after their
-- last conversion (or all of them), in the journey_lookback_days up to
-- their last touch. Touch positions follow time; a run is a stretch of
-- consecutive touches through the same channel (the data-driven models see
-- a run as one step).
--
-- Incremental a person at a time (replace_keys on person_id): a build
-- computes again the journeys of the persons whose conversions or
-- touchpoints changed since its latest marker (int_journeys__person_changes,
-- macro of_changed_persons); every journey is one person's.
-- tests_last_load: a daily build's data tests check the persons it wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'touchpoint_id', 'tests_last_load': 'refreshed_at'},
    on_schema_change='fail',
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}

with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
    {{ of_changed_persons(person_changes) }}
),

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
    {{ of_changed_persons(person_changes) }}
),

attributed as (
    select
        conversion_id,
        person_id,
        converted_at,
        lag(converted_at) over (
            partition by person_id, conversion_type
            order by converted_at, conversion_id
        ) as previous_converted_at
    from conversions
    where
        person_id is not null
        and conversion_type in (
            {%- for t in var('attributed_conversion_types') %}
                '{{ t }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
),

touches as (
    select * from touchpoints
    where is_attributable and person_id is not null
),

converting as (
    select
        attributed.conversion_id as journey_key,
        attributed.conversion_id,
        attributed.person_id,
        touches.touchpoint_id,
        touches.touched_at,
        touches.channel_group,
        touches.platform,
        touches.device_key
    from attributed
    inner join touches
        on
            attributed.person_id = touches.person_id
            and attributed.converted_at >= touches.touched_at
            and {{ dbt.dateadd(
                'day',
                '-' ~ var('journey_lookback_days'),
                'attributed.converted_at'
            ) }} <= touches.touched_at
            and (
                attributed.previous_converted_at is null
                or attributed.previous_converted_at < touches.touched_at
            )
),

last_conversions as (
    select
        person_id,
        max(converted_at) as last_converted_at
    from attributed
    group by person_id
),

open_touches as (
    select
        touches.*,
        max(touches.touched_at) over (
            partition by touches.person_id
        ) as last_touched_at
    from touches
    left join last_conversions
        on touches.person_id = last_conversions.person_id
    where
        last_conversions.last_converted_at is null
        or touches.touched_at > last_conversions.last_converted_at
),

non_converting as (
    select
        'open:' || person_id as journey_key,
        cast(null as {{ dbt.type_string() }}) as conversion_id,
        person_id,
        touchpoint_id,
        touched_at,
        channel_group,
        platform,
        device_key
    from open_touches
    where
        touched_at >= {{ dbt.dateadd(
            'day', '-' ~ var('journey_lookback_days'), 'last_touched_at'
        ) }}
),

unioned as (
    select * from converting
    union all
    select * from non_converting
),

positioned as (
    select
        *,
        cast(row_number() over (
            partition by journey_key order by touched_at, touchpoint_id
        ) as bigint) as touch_number,
        count(*) over (partition by journey_key) as journey_touches,
        case
            when
                channel_group = lag(channel_group) over (
                    partition by journey_key
                    order by touched_at, touchpoint_id
                )
                then 0
            else 1
        end as starts_run
    from unioned
),

final as (
    select
        {{ surrogate_key(['journey_key']) }} as journey_id,
        conversion_id,
        person_id,
        conversion_id is not null as is_converting,
        touchpoint_id,
        touched_at,
        channel_group,
        platform,
        device_key,
        touch_number,
        journey_touches,
        cast(sum(starts_run) over (
            partition by journey_key
            order by touch_number
            rows between unbounded preceding and current row
        ) as bigint) as run_number,
        {{ loaded_at() }} as refreshed_at
    from positioned
)

select * from final
{{ key_only_rows_of_changed_persons(person_changes) }}
