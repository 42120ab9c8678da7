-- Headline figures: persons, customers, sessions and net revenue.
with persons as (
    select
        count(*) as persons,
        count(*) filter (where is_known) as known_persons,
        count(*) filter (where orders_count > 0) as customers
    from marts.dim_persons
),

sessions as (
    select count(*) as sessions
    from marts.fct_sessions
),

conversions as (
    select
        count(*) filter (where conversion_type = 'purchase') as purchases,
        sum(revenue_eur) filter (
            where conversion_type in ('purchase', 'return')
        ) as net_revenue_eur
    from marts.fct_conversions
)

select
    persons.*,
    sessions.*,
    conversions.*
from persons, sessions, conversions
