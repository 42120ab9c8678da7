with

lines as (
    select * from {{ ref('base_pos__transaction_lines') }}
),

final as (
    select
        {{ surrogate_key(['transaction_id', 'line_no']) }}
            as transaction_line_id,
        transaction_id,
        line_no,
        product_id,
        quantity,
        unit_price,
        cast(quantity * unit_price as decimal(18, 4)) as line_amount,
        source_file
    from lines
    where quarantine_reason is null and not is_duplicate
)

select * from final
