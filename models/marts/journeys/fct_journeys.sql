-- One row per journey: each conversion of an attributed type with the path
-- of touches that led to it (none when the conversion has no known person),
-- and one non-converting journey per person with touches after their last
-- conversion, which the data-driven attribution models need.
--
-- Incremental by journey (replace_keys on journey_id): a build computes
-- again every journey of the persons changed since its latest marker
-- (int_journeys__person_changes; a person's journeys are made of their
-- touches and conversions), and the journeys of the conversions nobody can
-- be tied to that fct_conversions wrote since (changed_at) or no longer
-- holds. tests_last_load: a daily build's data tests check the journeys it
-- wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='journey_id',
    meta={'key_only_column': 'touchpoints', 'tests_last_load': 'refreshed_at'},
    on_schema_change='fail',
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}

with

conversions as (
    select * from {{ ref('fct_conversions') }}
    {%- if is_incremental() %}
        {{ of_changed_persons(person_changes) }}
        union all
        -- the conversions without a person written since
        select * from {{ ref('fct_conversions') }}
        where
            person_id is null
            and changed_at > {{ incremental_watermark('refreshed_at') }}
    {%- endif %}
),

journey_touches as (
    select * from {{ ref('int_journeys__touches') }}
    {{ of_changed_persons(person_changes) }}
),

attributed as (
    select * from conversions
    where conversion_type in (
        {%- for t in var('attributed_conversion_types') %}
            '{{ t }}'{{ "," if not loop.last }}
        {%- endfor %}
    )
),

paths as (
    select
        journey_id,
        max(conversion_id) as conversion_id,
        max(person_id) as person_id,
        min(touched_at) as started_at,
        max(touched_at) as last_touched_at,
        count(*) as touchpoints,
        count(distinct channel_group) as distinct_channels,
        {{ ordered_string_agg(
            'channel_group', 'touch_number', ' > '
        ) }} as channel_path,
        max(case when touch_number = 1 then channel_group end)
            as first_touch_channel,
        max(case when touch_number = journey_touches then channel_group end)
            as last_touch_channel,
        count(distinct device_key) as devices,
        max(device_key) as any_device_key,
        count(case when platform in ('web', 'app') then 1 end)
            as online_touches
    from journey_touches
    group by journey_id
),

converting as (
    select
        coalesce(
            paths.journey_id, {{ surrogate_key(['attributed.conversion_id']) }}
        ) as journey_id,
        attributed.conversion_id,
        attributed.person_id,
        coalesce(paths.started_at, attributed.converted_at) as started_at,
        attributed.converted_at,
        coalesce(paths.touchpoints, 0) as touchpoints,
        coalesce(paths.distinct_channels, 0) as distinct_channels,
        paths.channel_path,
        paths.first_touch_channel,
        paths.last_touch_channel,
        {{ dbt.datediff(
            'coalesce(paths.started_at, attributed.converted_at)',
            'attributed.converted_at',
            'second'
        ) }} / cast(3600 as {{ type_double() }}) as hours_to_convert,
        -- touches on two devices, or an order placed on another device
        coalesce(paths.devices, 0) > 1
        or (
            attributed.device_key is not null
            and paths.any_device_key is not null
            and attributed.device_key <> paths.any_device_key
        ) as is_cross_device,
        attributed.sales_channel = 'store'
        and coalesce(paths.online_touches, 0) > 0 as is_online_to_offline,
        true as is_converting,
        attributed.conversion_type,
        attributed.sales_channel,
        attributed.revenue_eur
    from attributed
    left join paths on attributed.conversion_id = paths.conversion_id
),

non_converting as (
    select
        journey_id,
        conversion_id,
        person_id,
        started_at,
        cast(null as {{ dbt.type_timestamp() }}) as converted_at,
        touchpoints,
        distinct_channels,
        channel_path,
        first_touch_channel,
        last_touch_channel,
        cast(null as {{ type_double() }}) as hours_to_convert,
        devices > 1 as is_cross_device,
        false as is_online_to_offline,
        false as is_converting,
        cast(null as {{ dbt.type_string() }}) as conversion_type,
        cast(null as {{ dbt.type_string() }}) as sales_channel,
        cast(null as decimal(18, 2)) as revenue_eur
    from paths
    where conversion_id is null
),

unioned as (
    select * from converting
    union all
    select * from non_converting
),

final as (
    select
        *,
        {{ loaded_at() }} as refreshed_at
    from unioned
)

select * from final
{%- if is_incremental() %}
    union all
    -- the journeys the table holds of the persons changed, and of
    -- conversions without a person it no longer holds: rows of their key
    -- alone, for replace_keys to delete them (those computed again are
    -- inserted after)
    select {{ key_only_rows({'journey_id': 'previous.journey_id'}) }}
    from {{ this }} as previous
    {{ of_changed_persons(person_changes) }}
    union all
    select {{ key_only_rows({'journey_id': 'previous.journey_id'}) }}
    from {{ this }} as previous
    where
        previous.person_id is null
        and not exists (
            select 1
            from {{ ref('fct_conversions') }} as kept
            where
                kept.conversion_id = previous.conversion_id
                and kept.person_id is null
        )
{%- endif %}
