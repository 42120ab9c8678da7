-- One row per staged store transaction with the person it is tied to: the
-- owner of its loyalty card, else of its e-receipt email (through the
-- identity graph; a rejected card, such as an employee's, ties nobody).
-- Flags the sales of people who asked for erasure: fct_touchpoints leaves
-- them out, fct_conversions keeps their revenue with no person.
with

transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

bridge as (
    select * from {{ ref('bridge_person_identifiers') }}
),

erased as (
    select * from {{ ref('int_identity__erased_identifiers') }}
),

final as (
    select
        transactions.transaction_id,
        transactions.store_id,
        transactions.occurred_at,
        transactions.is_return,
        transactions.total_amount,
        transactions.currency,
        transactions.total_amount_eur,
        coalesce(cards.person_id, receipts.person_id) as person_id,
        erased_cards.identifier_hash is not null
        or erased_emails.identifier_hash is not null as is_erased
    from transactions
    left join bridge as cards
        on
            cards.identifier_type = 'loyalty_card'
            and transactions.loyalty_card_hash = cards.identifier_hash
    left join bridge as receipts
        on
            receipts.identifier_type = 'email'
            and transactions.receipt_email_hash = receipts.identifier_hash
    left join erased as erased_cards
        on
            erased_cards.identifier_type = 'loyalty_card'
            and transactions.loyalty_card_hash = erased_cards.identifier_hash
    left join erased as erased_emails
        on
            erased_emails.identifier_type = 'email'
            and transactions.receipt_email_hash = erased_emails.identifier_hash
)

select * from final
