-- Till transactions typed, converted to UTC with the store's time zone and to
-- EUR with the rate valid on the day. The store master is read from its
-- source (a lookup, not a staging-on-staging dependency).
{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('pos', 'transactions'),
        [
            'transaction_id',
            'store_id',
            'occurred_at',
            'total_amount',
            'currency',
            'is_return'
        ]
    ) }}
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
        source.filename as source_file,
        source.layout_reason,
        {{ surrogate_key([
            landing_path('source.filename'), 'source.transaction_id', 'source.occurred_at',
            'source.total_amount'
        ]) }} as row_hash,
        nullif(trim(source.transaction_id), '') as transaction_id,
        nullif(trim(source.store_id), '') as store_id,
        stores.timezone as store_timezone,
        try_cast(source.occurred_at as timestamp) as occurred_at_local,
        {{ hash_identifier(
            'loyalty_card', normalize_identifier('source.loyalty_card_id')
        ) }} as loyalty_card_hash,
        {{ hash_identifier('email', normalize_email('source.receipt_email')) }}
            as receipt_email_hash,
        {{ parse_amount('source.total_amount') }} as total_amount,
        upper(nullif(trim(source.currency), '')) as currency,
        lower(nullif(trim(source.payment_type), '')) as payment_type,
        coalesce({{ parse_boolean('source.is_return') }}, false) as is_return
    from source
    left join stores on nullif(trim(source.store_id), '') = stores.store_id
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
