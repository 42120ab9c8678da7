-- One row per customer (a person with a purchase on or before the end of
-- the calibration period): frequency, recency, age and mean repeat value
-- over the calibration period, the repeat purchase days of the holdout
-- after it (macro clv_customer_summary, the published BG/NBD definitions).
-- Purchases and returns are those of int_journeys__conversions tied to a
-- person, online and in store, on their day.
with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

calibration as (
    select * from {{ ref('int_clv__calibration') }}
),

purchases as (
    select
        person_id,
        cast(converted_at as date) as purchased_on,
        revenue_eur,
        conversion_type = 'purchase' as is_purchase
    from conversions
    where
        person_id is not null
        and conversion_type in ('purchase', 'return')
),

final as (
    {{ clv_customer_summary(
        'purchases',
        '(select calibration_end from calibration)',
        '(select data_end from calibration)',
        var('clv_time_unit')
    ) }}
)

select * from final
