-- Till lines (typed once per file, base_pos__transaction_line_rows),
-- checked against their transaction and judged duplicate over every file.
-- A table rebuilt by each build, from the typed rows: a line whose
-- transaction no file holds yet waits, quarantined with a reason, and is
-- staged by the first build after its transaction's file has arrived.
{{ config(materialized='table') }}

with

line_rows as (
    select * from {{ ref('base_pos__transaction_line_rows') }}
),

transactions as (
    -- every transaction id a till file holds, whatever its row's status
    select
        transaction_id,
        {{ dbt.bool_or('is_return') }} as is_return
    from {{ ref('base_pos__transactions') }}
    where transaction_id is not null
    group by transaction_id
),

looked_up as (
    select
        line_rows.source_file,
        line_rows.layout_reason,
        line_rows.row_hash,
        line_rows.transaction_id,
        line_rows.line_no,
        line_rows.product_id,
        line_rows.quantity,
        line_rows.unit_price,
        line_rows.loaded_at,
        transactions.transaction_id is not null as has_transaction,
        coalesce(transactions.is_return, false) as is_return
    from line_rows
    left join transactions
        on line_rows.transaction_id = transactions.transaction_id
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
