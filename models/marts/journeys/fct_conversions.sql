-- The conversions of int_journeys__conversions, as BI tools read them.
with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

final as (
    select
        conversion_id,
        person_id,
        converted_at,
        conversion_type,
        sales_channel,
        order_id,
        revenue_eur,
        revenue_local,
        currency,
        is_first_purchase,
        purchase_number,
        session_id,
        device_key,
        store_id
    from conversions
)

select * from final
