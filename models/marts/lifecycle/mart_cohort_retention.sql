-- One row per first-order month and month since: the customers whose first
-- purchase (online or in store) fell in the cohort month, how many of them
-- bought in the month N months later, the retention rate, and the cohort's
-- net revenue that month (purchases minus store returns). Month 0 is the
-- first-order month itself, so its retention is 100% by construction.
with

persons as (
    select * from {{ ref('dim_persons') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

activity as (
    select
        person_id,
        conversion_type,
        revenue_eur,
        cast({{ dbt.date_trunc('month', 'converted_at') }} as date)
            as activity_month
    from conversions
    where
        person_id is not null
        and conversion_type in ('purchase', 'return')
),

cohorts as (
    -- the month of the person's first order (dim_persons.first_order_at)
    select
        person_id,
        cast({{ dbt.date_trunc('month', 'first_order_at') }} as date)
            as cohort_month
    from persons
    where first_order_at is not null
),

bounds as (
    select max(activity_month) as last_month
    from activity
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as customers
    from cohorts
    group by cohort_month
),

months as (
    {% for m in range(0, 121) %}
        select {{ m }} as months_since_first_order
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

grid as (
    select
        cohort_sizes.cohort_month,
        cohort_sizes.customers,
        months.months_since_first_order
    from cohort_sizes
    cross join months
    cross join bounds
    where
        {{ dbt.dateadd(
            'month', 'months.months_since_first_order',
            'cohort_sizes.cohort_month'
        ) }} <= bounds.last_month
),

monthly as (
    select
        cohorts.cohort_month,
        {{ dbt.datediff(
            'cohorts.cohort_month', 'activity.activity_month', 'month'
        ) }} as months_since_first_order,
        count(
            distinct case
                when activity.conversion_type = 'purchase'
                    then activity.person_id
            end
        ) as active_customers,
        sum(activity.revenue_eur) as revenue_eur
    from activity
    inner join cohorts on activity.person_id = cohorts.person_id
    where activity.activity_month >= cohorts.cohort_month
    group by
        cohorts.cohort_month,
        {{ dbt.datediff(
            'cohorts.cohort_month', 'activity.activity_month', 'month'
        ) }}
),

final as (
    select
        grid.cohort_month,
        grid.months_since_first_order,
        grid.customers,
        coalesce(monthly.active_customers, 0) as active_customers,
        cast(coalesce(monthly.active_customers, 0) as {{ type_double() }})
        / grid.customers as retention_rate,
        cast(coalesce(monthly.revenue_eur, 0) as decimal(18, 2)) as revenue_eur
    from grid
    left join monthly
        on
            grid.cohort_month = monthly.cohort_month
            and grid.months_since_first_order
            = monthly.months_since_first_order
)

select * from final
