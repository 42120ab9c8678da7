-- One row per staged store transaction with the person it is tied to
-- (int_identity__record_persons: the owner of its e-receipt email, else of
-- its loyalty card; a rejected card, such as an employee's, ties nobody).
-- Flags the sales of people who asked for erasure: the touchpoints leave
-- them out, the conversions keep their revenue with no person.
with

transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

record_persons as (
    select * from {{ ref('int_identity__record_persons') }}
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
        record_persons.person_id,
        -- erased by this build (its identifiers are on the erasure list), or
        -- by an earlier one (the till rows a daily build keeps lose their
        -- identifiers and are flagged)
        coalesce(record_persons.is_erased, false)
        or coalesce(transactions.is_erased, false) as is_erased
    from transactions
    left join record_persons
        on
            record_persons.record_type = 'pos_transaction'
            and transactions.transaction_id = record_persons.record_id
)

select * from final
