{#- Customer lifetime value: the calibration summary the BG/NBD and
    Gamma-Gamma models are fitted on, written once so that the published
    CDNOW summary can be reproduced with it (tests/python/test_customer_value.py). -#}

{% macro clv_unit_days(time_unit) -%}
    {#- Days in one unit of var clv_time_unit; anything else stops the run. -#}
    {%- if time_unit == 'day' -%}
        1
    {%- elif time_unit == 'week' -%}
        7
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var clv_time_unit must be 'day' or 'week', not '" ~ time_unit ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro clv_customer_summary(purchases, calibration_end, data_end, time_unit) -%}
{#- One row per customer whose first purchase day is on or before
    calibration_end (a SQL date expression), from `purchases` (person_id,
    purchased_on date, revenue_eur, is_purchase: false for a return). As in
    the published BG/NBD fits: frequency counts the purchase days after the
    first one up to calibration_end (several purchases on one day count
    once); recency runs from the first purchase day to the last repeat one,
    customer_age to calibration_end, in days between dates divided by the
    unit's days; monetary_value_eur is the mean net revenue (returns of the
    day deducted) of the repeat purchase days, null without any. The repeat
    purchase days after calibration_end, up to data_end, are the holdout. -#}
{%- set unit_days = clv_unit_days(time_unit) %}
with

days as (
    -- a day counts as a purchase day when it holds a purchase; its returns
    -- are netted on it
    select
        person_id,
        purchased_on,
        {{ dbt.bool_or('is_purchase') }} as has_purchase,
        sum(revenue_eur) as net_revenue_eur
    from {{ purchases }}
    where person_id is not null and purchased_on <= {{ data_end }}
    group by person_id, purchased_on
),

purchase_days as (
    select * from days where has_purchase
),

first_days as (
    select
        person_id,
        min(purchased_on) as first_purchase_on
    from purchase_days
    group by person_id
),

repeat_days as (
    select
        purchase_days.person_id,
        purchase_days.purchased_on,
        purchase_days.net_revenue_eur,
        purchase_days.purchased_on <= {{ calibration_end }} as is_calibration
    from purchase_days
    inner join first_days
        on
            purchase_days.person_id = first_days.person_id
            and purchase_days.purchased_on > first_days.first_purchase_on
),

repeats as (
    select
        person_id,
        count(case when is_calibration then 1 end) as frequency,
        max(case when is_calibration then purchased_on end) as last_repeat_on,
        {{ average_as_double('case when is_calibration then net_revenue_eur end', 2) }}
            as monetary_value_eur,
        count(case when not is_calibration then 1 end) as holdout_frequency
    from repeat_days
    group by person_id
),

final as (
    select
        first_days.person_id,
        first_days.first_purchase_on,
        coalesce(repeats.frequency, 0) as frequency,
        cast(coalesce({{ dbt.datediff(
            'first_days.first_purchase_on', 'repeats.last_repeat_on', 'day'
        ) }}, 0) as {{ type_double() }}) / {{ unit_days }} as recency,
        cast({{ dbt.datediff(
            'first_days.first_purchase_on', calibration_end, 'day'
        ) }} as {{ type_double() }}) / {{ unit_days }} as customer_age,
        repeats.monetary_value_eur,
        coalesce(repeats.holdout_frequency, 0) as holdout_frequency
    from first_days
    left join repeats on first_days.person_id = repeats.person_id
    where first_days.first_purchase_on <= {{ calibration_end }}
)

select * from final
{%- endmacro %}
