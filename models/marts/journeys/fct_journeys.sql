-- One row per journey: each conversion of an attributed type with the path
-- of touches that led to it (none when the conversion has no known person),
-- and one non-converting journey per person with touches after their last
-- conversion, which the data-driven attribution models need.
with

conversions as (
    select * from {{ ref('fct_conversions') }}
),

journey_touches as (
    select * from {{ ref('int_journeys__touches') }}
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
        ) }} / 3600.0 as hours_to_convert,
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
        cast(null as varchar) as conversion_type,
        cast(null as varchar) as sales_channel,
        cast(null as decimal(18, 2)) as revenue_eur
    from paths
    where conversion_id is null
),

final as (
    select * from converting
    union all
    select * from non_converting
)

select * from final
