-- One row per day from date_spine_start to date_spine_end: the time spine
-- MetricFlow joins metrics to, and a calendar for BI tools.
with

digits as (
    {% for d in range(10) %}
        select {{ d }} as digit
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

offsets as (
    select
        thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10
        + ones.digit as day_offset
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones
),

days as (
    select
        cast(
            {{ dbt.dateadd(
                'day', 'day_offset',
                "cast('" ~ var('date_spine_start') ~ "' as date)"
            ) }} as date
        ) as date_day
    from offsets
),

final as (
    select
        date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from days
    where date_day <= cast('{{ var("date_spine_end") }}' as date)
)

select * from final
