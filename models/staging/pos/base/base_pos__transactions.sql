-- Till transactions (typed once per file, base_pos__transaction_rows)
-- converted to UTC with the store's time zone and to EUR with the rate
-- valid on the day, checked, and judged duplicate over every file. A table
-- rebuilt by each build, from the typed rows: a changed store master or rate
-- applies to every row. The store master is read from its source (a lookup,
-- not a staging-on-staging dependency).
{{ config(materialized='table') }}

with

transaction_rows as (
    select * from {{ ref('base_pos__transaction_rows') }}
),

stores as (
    select
        nullif(trim(store_id), '') as store_id,
        max(nullif(trim(timezone), '')) as timezone
    from (
        {{ csv_by_header(source('pos', 'stores'), ['store_id', 'timezone']) }}
    ) as store_rows
    where layout_reason is null
    group by 1
),

rates as (
    select * from {{ ref('currency_rates') }}
),

typed as (
    select
        transaction_rows.source_file,
        transaction_rows.layout_reason,
        transaction_rows.row_hash,
        transaction_rows.transaction_id,
        transaction_rows.store_id,
        stores.timezone as store_timezone,
        transaction_rows.occurred_at_local,
        transaction_rows.loyalty_card_hash,
        transaction_rows.receipt_email_hash,
        transaction_rows.total_amount,
        transaction_rows.currency,
        transaction_rows.payment_type,
        transaction_rows.is_return,
        transaction_rows.loaded_at,
        transaction_rows.is_erased
    from transaction_rows
    left join stores on transaction_rows.store_id = stores.store_id
),

converted as (
    select
        typed.*,
        {{ local_to_utc('typed.occurred_at_local', 'typed.store_timezone') }}
            as occurred_at,
        {{ local_time_issue(
            'typed.occurred_at_local', 'typed.store_timezone'
        ) }} as local_time_issue,
        {{ eur_per_unit('typed.currency', 'rates.eur_per_unit') }}
            as eur_per_unit,
        {{ to_eur(
            'typed.total_amount', 'typed.currency', 'rates.eur_per_unit'
        ) }} as total_amount_eur
    from typed
    left join rates
        on {{ rate_on_day(
            'rates', 'typed.currency', 'typed.occurred_at_local'
        ) }}
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when transaction_id is null then 'missing transaction_id'
            when store_timezone is null then 'unknown store_id'
            when occurred_at_local is null then 'unparseable occurred_at'
            when {{ implausible_time_reason(
                'occurred_at_local', 'occurred_at'
            ) }} is not null
                then {{ implausible_time_reason(
                    'occurred_at_local', 'occurred_at'
                ) }}
            when total_amount is null then 'unparseable total_amount'
            when eur_per_unit is null
                then 'no EUR rate for the currency and day'
        end as quarantine_reason
    from converted
),

final as (
    select
        *,
        quarantine_reason is null and row_number() over (
            partition by transaction_id, quarantine_reason is null
            order by source_file, row_hash
        ) > 1 as is_duplicate
    from checked
)

select * from final
