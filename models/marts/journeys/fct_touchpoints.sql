-- The touchpoints of int_journeys__touchpoints, as BI tools read them.
with

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
),

final as (
    select
        touchpoint_id,
        person_id,
        touched_at,
        touch_type,
        channel_group,
        source,
        medium,
        campaign,
        partner_id,
        platform,
        device_key,
        session_id,
        is_attributable
    from touchpoints
)

select * from final
