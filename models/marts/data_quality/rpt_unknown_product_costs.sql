-- One row per reason and product whose cost of goods is unknown on some
-- sale's day: the lines, units and conversions it leaves without a margin,
-- and the days it concerns. Empty when every sale has a known cost.
with

conversion_lines as (
    select * from {{ ref('int_journeys__conversion_lines') }}
),

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

final as (
    select
        conversion_lines.cost_issue,
        conversion_lines.product_id,
        count(*) as product_lines,
        cast(sum(conversion_lines.quantity) as bigint) as units,
        count(distinct conversion_lines.conversion_id) as conversions,
        cast(sum(conversions.revenue_eur) as decimal(18, 2)) as revenue_eur,
        min(conversion_lines.cost_day) as first_day,
        max(conversion_lines.cost_day) as last_day
    from conversion_lines
    inner join conversions
        on conversion_lines.conversion_id = conversions.conversion_id
    where conversion_lines.cost_issue is not null
    group by conversion_lines.cost_issue, conversion_lines.product_id
)

select * from final
