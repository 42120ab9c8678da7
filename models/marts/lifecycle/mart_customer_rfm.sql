-- One row per customer (a person with a purchase): recency in days since
-- their last purchase as of the last day of data (or var rfm_as_of_date),
-- frequency (purchases), monetary value (net revenue, returns deducted),
-- both as dim_persons counts them, quintile scores 1-5 and a named segment.
-- A score is 1 + floor(5 x percent_rank) (capped at 5; recency ranked from
-- the longest ago): customers tied on a value share its lowest quintile, so
-- the many one-time buyers all score F = 1. The segment is the first row of
-- the rfm_segments seed, in priority order, whose ranges hold the recency
-- score R and FM = floor((F + M) / 2).
with

persons as (
    select * from {{ ref('dim_persons') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

segments as (
    select * from {{ ref('rfm_segments') }}
),

as_of as (
    select
        {% if var('rfm_as_of_date', none) %}
            cast('{{ var("rfm_as_of_date") }}' as date)
        {% else %}
            cast(max(converted_at) as date)
        {% endif %} as as_of_date
    from conversions
),

customers as (
    select
        person_id,
        last_order_at as last_purchase_at,
        orders_count as frequency,
        revenue_eur as monetary_eur
    from persons
    where orders_count > 0
),

measured as (
    select
        customers.person_id,
        {{ dbt.datediff(
            'cast(customers.last_purchase_at as date)',
            'as_of.as_of_date',
            'day'
        ) }} as recency_days,
        customers.frequency,
        customers.monetary_eur
    from customers
    cross join as_of
),

scored as (
    select
        *,
        least(5, 1 + floor(5 * percent_rank() over (
            order by recency_days desc
        ))) as r_score,
        least(5, 1 + floor(5 * percent_rank() over (
            order by frequency
        ))) as f_score,
        least(5, 1 + floor(5 * percent_rank() over (
            order by monetary_eur
        ))) as m_score
    from measured
),

matched as (
    select
        scored.*,
        floor((scored.f_score + scored.m_score) / 2) as fm_score,
        segments.segment as rfm_segment,
        row_number() over (
            partition by scored.person_id order by segments.priority
        ) as match_rank
    from scored
    inner join segments
        on
            scored.r_score between segments.r_min and segments.r_max
            and floor((scored.f_score + scored.m_score) / 2)
            between segments.fm_min and segments.fm_max
),

final as (
    select
        person_id,
        recency_days,
        frequency,
        cast(monetary_eur as decimal(18, 2)) as monetary_eur,
        cast(r_score as integer) as r_score,
        cast(f_score as integer) as f_score,
        cast(m_score as integer) as m_score,
        cast(fm_score as integer) as fm_score,
        rfm_segment
    from matched
    where match_rank = 1
)

select * from final
