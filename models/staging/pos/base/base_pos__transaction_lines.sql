{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('pos', 'transaction_lines'),
        ['transaction_id', 'line_no', 'product_id', 'quantity', 'unit_price']
    ) }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            'filename', 'transaction_id', 'line_no', 'product_id', 'quantity',
            'unit_price'
        ]) }} as row_hash,
        nullif(trim(transaction_id), '') as transaction_id,
        try_cast(line_no as integer) as line_no,
        nullif(trim(product_id), '') as product_id,
        try_cast(quantity as integer) as quantity,
        {{ parse_amount('unit_price') }} as unit_price
    from source
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when transaction_id is null then 'missing transaction_id'
            when line_no is null then 'unparseable line_no'
            when quantity is null then 'unparseable quantity'
            when unit_price is null then 'unparseable unit_price'
        end as quarantine_reason
    from typed
),

final as (
    select
        *,
        quarantine_reason is null and row_number() over (
            partition by transaction_id, line_no, quarantine_reason is null
            order by source_file, row_hash
        ) > 1 as is_duplicate
    from checked
)

select * from final
