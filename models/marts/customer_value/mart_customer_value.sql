-- One row per customer: the calibration summary the lifetime-value models
-- read (int_clv__summary), what they predict (int_clv__predictions) and the
-- predicted gross margin, predicted revenue x the customer's margin rate
-- (int_clv__margin_rates).
with

summary as (
    select * from {{ ref('int_clv__summary') }}
),

predictions as (
    select * from {{ ref('int_clv__predictions') }}
),

margin_rates as (
    select * from {{ ref('int_clv__margin_rates') }}
),

calibration as (
    select * from {{ ref('int_clv__calibration') }}
),

final as (
    select
        summary.person_id,
        summary.first_purchase_on,
        cast(summary.frequency as integer) as frequency,
        summary.recency,
        summary.customer_age,
        -- to the cent from the double's exact value on both engines (Spark
        -- casts a double to a decimal through its shortest text: 36.495)
        cast(round(summary.monetary_value_eur * 100) / 100 as decimal(18, 2))
            as monetary_value_eur,
        predictions.p_alive,
        predictions.expected_purchases,
        cast(predictions.expected_purchase_value_eur as decimal(18, 2))
            as expected_purchase_value_eur,
        cast(predictions.predicted_revenue_eur as decimal(18, 2))
            as predicted_revenue_eur,
        margin_rates.gross_margin_rate,
        margin_rates.is_own_margin_rate,
        cast(
            predictions.predicted_revenue_eur * margin_rates.gross_margin_rate
            as decimal(18, 2)
        ) as predicted_gross_margin_eur,
        cast(summary.holdout_frequency as integer) as holdout_frequency,
        predictions.holdout_expected_purchases,
        calibration.calibration_end,
        calibration.time_unit
    from summary
    cross join calibration
    left join predictions on summary.person_id = predictions.person_id
    left join margin_rates on summary.person_id = margin_rates.person_id
)

select * from final
