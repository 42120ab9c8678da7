-- Till lines typed. The transactions are read from their source as a lookup
-- (like the store master in base_pos__transactions): a line whose transaction
-- no file holds yet waits, quarantined with a reason, and is staged by the
-- first build after its transaction's file has arrived.
{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('pos', 'transaction_lines'),
        ['transaction_id', 'line_no', 'product_id', 'quantity', 'unit_price']
    ) }}
),

transactions as (
    select
        nullif(trim(transaction_id), '') as transaction_id,
        bool_or(coalesce({{ parse_boolean('is_return') }}, false)) as is_return
    from (
        {{ csv_by_header(source('pos', 'transactions'), ['transaction_id']) }}
    ) as transaction_rows
    group by 1
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'transaction_id', 'line_no', 'product_id', 'quantity',
            'unit_price'
        ]) }} as row_hash,
        nullif(trim(transaction_id), '') as transaction_id,
        try_cast(line_no as integer) as line_no,
        nullif(trim(product_id), '') as product_id,
        try_cast(quantity as integer) as quantity,
        {{ parse_amount('unit_price') }} as unit_price
    from source
),

looked_up as (
    select
        typed.*,
        transactions.transaction_id is not null as has_transaction,
        coalesce(transactions.is_return, false) as is_return
    from typed
    left join transactions
        on typed.transaction_id = transactions.transaction_id
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
            when not has_transaction
                then 'waiting for its transaction (no till file holds it yet)'
            when quantity < 0 and not is_return
                then 'negative quantity on a sale that is not a return'
        end as quarantine_reason
    from looked_up
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
