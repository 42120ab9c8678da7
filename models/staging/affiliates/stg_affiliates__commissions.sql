-- One row per affiliate network transaction, its current version: the
-- partner, the order it claims, its status and what it costs in EUR.
with

commissions as (
    select * from {{ ref('base_affiliates__commissions') }}
),

final as (
    select
        {{ surrogate_key(['network', 'network_transaction_id']) }}
            as affiliate_transaction_id,
        network,
        network_transaction_id,
        partner_id,
        partner_name,
        order_id,
        status,
        sale_amount,
        commission_amount,
        network_fee,
        currency,
        sale_amount_eur,
        commission_eur,
        network_fee_eur,
        click_ref,
        occurred_at,
        updated_at,
        source_file
    from commissions
    where quarantine_reason is null and not is_duplicate
)

select * from final
