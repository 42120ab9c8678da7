-- Revenue reconciles end to end: fct_conversions holds the revenue of every
-- valid order in staging (each web/app order id once, every store
-- transaction, returns negative), and each attribution model hands out
-- exactly the revenue of the attributed conversions that have a touch.
-- Returns a row per check that fails.
with

web_orders as (
    select * from {{ ref('stg_web__events') }}
    where event_name = 'Order Completed'
),

app_orders as (
    select * from {{ ref('stg_app__events') }}
    where event_name = 'Order Completed'
),

transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

rates as (
    select * from {{ ref('currency_rates') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

journeys as (
    select * from {{ ref('fct_journeys') }}
),

attribution as (
    select * from {{ ref('fct_attribution') }}
),

online_orders as (
    {% for platform in ['web', 'app'] %}
        select
            '{{ platform }}' as sales_channel,
            coalesce(order_id, message_id) as order_key,
            min(occurred_at) as occurred_at,
            min(revenue) as revenue,
            min(currency) as currency
        from {{ platform }}_orders
        group by coalesce(order_id, message_id)
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

staged as (
    select
        'orders' as check_name,
        sum(
            cast(online_orders.revenue * rates.eur_per_unit as decimal(18, 2))
        ) as expected
    from online_orders
    left join rates
        on
            online_orders.currency = rates.currency
            and cast(online_orders.occurred_at as date)
            between rates.valid_from and rates.valid_to
    union all
    select
        'store' as check_name,
        sum(total_amount_eur) as expected
    from transactions
),

converted as (
    select
        case when sales_channel = 'store' then 'store' else 'orders' end
            as check_name,
        sum(revenue_eur) as actual
    from conversions
    where conversion_type in ('purchase', 'return')
    group by
        case when sales_channel = 'store' then 'store' else 'orders' end
),

touched as (
    select sum(revenue_eur) as expected
    from journeys
    where is_converting and touchpoints > 0
),

attributed as (
    select
        attribution_model as check_name,
        sum(revenue_eur) as actual
    from attribution
    group by attribution_model
),

final as (
    select
        staged.check_name,
        staged.expected,
        converted.actual
    from staged
    left join converted on staged.check_name = converted.check_name
    where converted.actual is distinct from staged.expected
    union all
    select
        attributed.check_name,
        touched.expected,
        attributed.actual
    from attributed
    cross join touched
    where abs(attributed.actual - touched.expected) > 0.01
)

select * from final
