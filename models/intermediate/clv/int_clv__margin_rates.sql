-- One row per customer of int_clv__summary: the share of their revenue
-- that is gross margin, over their purchases and returns whose cost of
-- goods is known; the share over every customer's known-cost sales when
-- none of theirs has a known cost. Null when no sale has a known cost.
with

summary as (
    select * from {{ ref('int_clv__summary') }}
),

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

margins as (
    select * from {{ ref('int_journeys__conversion_margins') }}
),

known as (
    select
        conversions.person_id,
        conversions.revenue_eur,
        margins.gross_margin_eur
    from conversions
    inner join margins on conversions.conversion_id = margins.conversion_id
    where
        conversions.person_id is not null
        and conversions.conversion_type in ('purchase', 'return')
        and margins.gross_margin_eur is not null
),

per_customer as (
    select
        person_id,
        cast(sum(gross_margin_eur) as {{ type_double() }})
        / nullif(cast(sum(revenue_eur) as {{ type_double() }}), 0)
            as margin_rate
    from known
    group by person_id
),

population as (
    select
        cast(sum(gross_margin_eur) as {{ type_double() }})
        / nullif(cast(sum(revenue_eur) as {{ type_double() }}), 0)
            as margin_rate
    from known
),

final as (
    select
        summary.person_id,
        cast(
            coalesce(per_customer.margin_rate, population.margin_rate)
            as {{ type_double() }}
        ) as gross_margin_rate,
        per_customer.margin_rate is not null as is_own_margin_rate
    from summary
    cross join population
    left join per_customer on summary.person_id = per_customer.person_id
)

select * from final
