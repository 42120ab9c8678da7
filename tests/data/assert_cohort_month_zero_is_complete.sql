-- Month 0 of every cohort retains all its customers, and no month retains
-- more customers than the cohort has. Returns the offending rows.
with

retention as (
    select * from {{ ref('mart_cohort_retention') }}
),

final as (
    select
        cohort_month,
        months_since_first_order,
        customers,
        active_customers,
        retention_rate
    from retention
    where
        (months_since_first_order = 0 and retention_rate <> 1)
        or active_customers > customers
)

select * from final
