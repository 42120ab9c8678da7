-- The conversions of int_journeys__conversions, as BI tools read them, with
-- their cost of goods and gross margin (int_journeys__conversion_margins).
with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

margins as (
    select * from {{ ref('int_journeys__conversion_margins') }}
),

final as (
    select
        conversions.conversion_id,
        conversions.person_id,
        conversions.converted_at,
        conversions.conversion_type,
        conversions.sales_channel,
        conversions.order_id,
        conversions.revenue_eur,
        conversions.revenue_local,
        conversions.currency,
        conversions.is_first_purchase,
        conversions.purchase_number,
        conversions.session_id,
        conversions.device_key,
        conversions.store_id,
        margins.cost_of_goods_eur,
        margins.gross_margin_eur
    from conversions
    left join margins on conversions.conversion_id = margins.conversion_id
)

select * from final
