with

transactions as (
    select * from {{ ref('base_pos__transactions') }}
),

final as (
    select
        transaction_id,
        store_id,
        store_timezone,
        occurred_at_local,
        occurred_at,
        local_time_issue,
        loyalty_card_hash,
        receipt_email_hash,
        total_amount,
        currency,
        eur_per_unit,
        total_amount_eur,
        payment_type,
        is_return,
        source_file,
        is_erased
    from transactions
    where quarantine_reason is null and not is_duplicate
)

select * from final
