-- One row per product line of a purchase or return, with the unit cost of
-- goods valid on the sale's day (the store's local day, the UTC day online)
-- in EUR at that day's rate. Store lines come from the till; a web or app
-- order's from Segment's properties.products[], else its single
-- product_id (a quantity the event leaves out counts 1). A purchase or
-- return without any line has one row without a product, so that its
-- unknown cost is counted; cost_issue says why a line has no cost.
with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
    where conversion_type in ('purchase', 'return')
),

transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

till_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

product_costs as (
    select * from {{ ref('stg_catalog__products') }}
),

rates as (
    select * from {{ ref('currency_rates') }}
),

order_events as (
    -- the conversion events (int_journeys__conversion_events) hold every
    -- online purchase's product properties
    select
        platform as sales_channel,
        message_id,
        product_id,
        quantity,
        order_products
    from {{ ref('int_journeys__conversion_events') }}
    where order_id is not null
),

store_lines as (
    select
        conversions.conversion_id,
        till_lines.line_no as line_number,
        till_lines.product_id,
        till_lines.quantity,
        cast(transactions.occurred_at_local as date) as cost_day
    from conversions
    inner join transactions
        on conversions.source_record_id = transactions.transaction_id
    inner join till_lines
        on conversions.source_record_id = till_lines.transaction_id
    where conversions.sales_channel = 'store'
),

online_orders as (
    select
        conversions.conversion_id,
        cast(conversions.converted_at as date) as cost_day,
        order_events.product_id,
        order_events.quantity,
        order_events.order_products
    from conversions
    inner join order_events
        on
            conversions.sales_channel = order_events.sales_channel
            and conversions.source_record_id = order_events.message_id
),

listed_products as (
    -- Segment's products[]: one line per element, in its order
    select
        listed.conversion_id,
        cast(listed.line_number as integer) as line_number,
        listed.product.product_id,
        coalesce(listed.product.quantity, 1) as quantity,
        listed.cost_day
    from (
        {{ list_elements(
            'online_orders', 'order_products', ['conversion_id', 'cost_day'],
            'line_number', 'product'
        ) }}
    ) as listed
),

single_products as (
    select
        conversion_id,
        1 as line_number,
        product_id,
        coalesce(quantity, 1) as quantity,
        cost_day
    from online_orders
    where
        coalesce({{ list_length('order_products') }}, 0) = 0
        and product_id is not null
),

lines as (
    select * from store_lines
    union all
    select * from listed_products
    union all
    select * from single_products
),

lineless as (
    -- a purchase or return that names no product at all
    select
        conversions.conversion_id,
        cast(null as integer) as line_number,
        cast(null as {{ dbt.type_string() }}) as product_id,
        cast(null as integer) as quantity,
        cast(conversions.converted_at as date) as cost_day
    from conversions
    where conversions.conversion_id not in (
        select lines.conversion_id from lines
    )
),

all_lines as (
    select * from lines
    union all
    select * from lineless
),

costed as (
    select
        all_lines.*,
        product_costs.product_id is not null as has_cost,
        product_costs.unit_cost,
        product_costs.currency as cost_currency,
        {{ eur_per_unit('product_costs.currency', 'rates.eur_per_unit') }}
            as eur_per_unit,
        all_lines.product_id in (
            select known.product_id from product_costs as known
        ) as is_in_catalog
    from all_lines
    left join product_costs
        on
            all_lines.product_id = product_costs.product_id
            and all_lines.cost_day >= product_costs.valid_from
            and (
                product_costs.valid_to is null
                or all_lines.cost_day <= product_costs.valid_to
            )
    left join rates
        on {{ rate_on_day(
            'rates', 'product_costs.currency', 'all_lines.cost_day'
        ) }}
),

final as (
    select
        conversion_id,
        line_number,
        product_id,
        quantity,
        cost_day,
        unit_cost,
        cost_currency,
        cast(unit_cost * eur_per_unit as decimal(18, 10)) as unit_cost_eur,
        cast(
            quantity * cast(unit_cost * eur_per_unit as decimal(18, 10))
            as decimal(18, 10)
        ) as cost_eur,
        case
            when product_id is null then 'order names no product'
            when not coalesce(is_in_catalog, false)
                then 'product not in the catalog'
            when not has_cost then 'no cost valid on the day'
            when eur_per_unit is null
                then 'no EUR rate for the cost currency and day'
        end as cost_issue
    from costed
)

select * from final
