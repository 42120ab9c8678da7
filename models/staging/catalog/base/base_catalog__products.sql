-- Every row of the product master files, typed, with its status. A product
-- costs from its valid_from on; the same product and valid_from in a later
-- file (a re-export) supersedes the earlier row.
{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('catalog', 'products'),
        ['product_id', 'unit_cost', 'currency', 'valid_from']
    ) }}
),

known_currencies as (
    select distinct currency from {{ ref('currency_rates') }}
),

typed as (
    select
        source.filename as source_file,
        source.layout_reason,
        {{ surrogate_key([
            landing_path('source.filename'), 'source.product_id',
            'source.valid_from', 'source.unit_cost', 'source.currency'
        ]) }} as row_hash,
        nullif(trim(source.product_id), '') as product_id,
        nullif(trim(source.product_name), '') as product_name,
        nullif(trim(source.category), '') as category,
        {{ parse_amount('source.unit_cost') }} as unit_cost,
        upper(nullif(trim(source.currency), '')) as currency,
        try_cast(source.valid_from as date) as valid_from
    from source
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when product_id is null then 'missing product_id'
            when valid_from is null then 'unparseable valid_from'
            when unit_cost is null then 'unparseable unit_cost'
            when unit_cost < 0 then 'negative unit_cost'
            when
                currency is null
                or (
                    currency != 'EUR'
                    and currency not in (
                        select known_currencies.currency
                        from known_currencies
                    )
                )
                then 'currency not in the currency_rates seed'
        end as quarantine_reason
    from typed
),

final as (
    select
        *,
        quarantine_reason is null and row_number() over (
            partition by product_id, valid_from, quarantine_reason is null
            order by source_file desc, row_hash asc
        ) > 1 as is_duplicate
    from checked
)

select * from final
