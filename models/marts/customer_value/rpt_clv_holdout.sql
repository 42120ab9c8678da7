-- One row per calibration frequency (0 to 6, then 7 or more, as in Fader,
-- Hardie & Lee's holdout figure): the customers, and the repeat purchase
-- days they made in the holdout against those BG/NBD predicted for it. The
-- holdout is the data after var clv_calibration_end; without one (the
-- default) the report is empty.
with

customers as (
    select * from {{ ref('mart_customer_value') }}
),

calibration as (
    select * from {{ ref('int_clv__calibration') }}
),

grouped as (
    select
        least(customers.frequency, 7) as frequency_group,
        count(*) as customers,
        sum(customers.holdout_frequency) as actual_purchases,
        sum(customers.holdout_expected_purchases) as predicted_purchases
    from customers
    cross join calibration
    where calibration.holdout_length > 0
    group by 1
),

final as (
    select
        cast(frequency_group as integer) as frequency_group,
        case
            when frequency_group = 7 then '7+'
            else cast(frequency_group as {{ dbt.type_string() }})
        end as frequency_label,
        cast(customers as integer) as customers,
        cast(actual_purchases as integer) as actual_purchases,
        predicted_purchases,
        cast(actual_purchases as {{ type_double() }}) / customers
            as actual_per_customer,
        predicted_purchases / customers as predicted_per_customer
    from grouped
)

select * from final
