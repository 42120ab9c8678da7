-- One row: the calibration period the lifetime-value models are fitted on
-- and the lengths their predictions run over, in var clv_time_unit. The
-- period ends on var clv_calibration_end, or on the last day with a
-- conversion when it is null; what follows it, up to that last day, is the
-- holdout the predictions are checked against.
with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

data_end as (
    select max(cast(converted_at as date)) as data_end
    from conversions
),

final as (
    select
        {% if var('clv_calibration_end') -%}
            cast('{{ var("clv_calibration_end") }}' as date)
        {%- else -%}
            data_end
        {%- endif %} as calibration_end,
        data_end,
        '{{ var("clv_time_unit") }}' as time_unit,
        {{ clv_unit_days(var('clv_time_unit')) }} as unit_days,
        cast({{ var('clv_horizon_days') }} as {{ type_double() }})
        / {{ clv_unit_days(var('clv_time_unit')) }} as horizon_length
    from data_end
),

with_holdout as (
    select
        *,
        cast(
            greatest(
                {{ dbt.datediff('calibration_end', 'data_end', 'day') }}, 0
            ) as {{ type_double() }}
        ) / unit_days as holdout_length
    from final
)

select * from with_holdout
