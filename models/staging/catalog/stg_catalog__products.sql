-- One row per product and cost period: the unit cost from valid_from to
-- valid_to (the day before the product's next cost; null while current).
with

products as (
    select * from {{ ref('base_catalog__products') }}
),

usable as (
    select * from products
    where quarantine_reason is null and not is_duplicate
),

final as (
    select
        {{ surrogate_key(['product_id', 'valid_from']) }} as product_cost_id,
        product_id,
        product_name,
        category,
        unit_cost,
        currency,
        valid_from,
        cast({{ dbt.dateadd(
            'day', -1,
            'lead(valid_from) over (partition by product_id order by valid_from)'
        ) }} as date) as valid_to,
        source_file
    from usable
)

select * from final
