-- Every row of the affiliate networks' exports, typed and converted to EUR
-- at the rate of the order's day, with its status. A network restates a
-- transaction (pending, then approved or declined): the version with the
-- latest updated_at is the current one, the earlier versions are counted as
-- duplicates.
{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('affiliates', 'commissions'),
        ['network', 'network_transaction_id', 'partner_id', 'order_id',
         'commission_amount', 'currency', 'status', 'occurred_at',
         'updated_at']
    ) }}
),

rates as (
    select * from {{ ref('currency_rates') }}
),

typed as (
    select
        source.filename as source_file,
        source.layout_reason,
        {{ surrogate_key([
            landing_path('source.filename'), 'source.network',
            'source.network_transaction_id', 'source.status',
            'source.updated_at', 'source.commission_amount'
        ]) }} as row_hash,
        lower(nullif(trim(source.network), '')) as network,
        nullif(trim(source.network_transaction_id), '')
            as network_transaction_id,
        lower(nullif(trim(source.partner_id), '')) as partner_id,
        nullif(trim(source.partner_name), '') as partner_name,
        nullif(trim(source.order_id), '') as order_id,
        {{ parse_amount('source.sale_amount') }} as sale_amount,
        {{ parse_amount('source.commission_amount') }} as commission_amount,
        -- an export without fees leaves the column empty: no fee
        coalesce(
            {{ parse_amount('source.network_fee') }},
            case when nullif(trim(source.network_fee), '') is null then 0 end
        ) as network_fee,
        upper(nullif(trim(source.currency), '')) as currency,
        lower(nullif(trim(source.status), '')) as status,
        nullif(trim(source.click_ref), '') as click_ref,
        {{ parse_timestamp('source.occurred_at') }} as occurred_at,
        {{ parse_timestamp('source.updated_at') }} as updated_at
    from source
),

converted as (
    select
        typed.*,
        {{ eur_per_unit('typed.currency', 'rates.eur_per_unit') }}
            as eur_per_unit
    from typed
    left join rates
        on {{ rate_on_day('rates', 'typed.currency', 'typed.occurred_at') }}
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when network is null then 'missing network'
            when network_transaction_id is null
                then 'missing network_transaction_id'
            when partner_id is null then 'missing partner_id'
            when
                status is null
                or status not in ('pending', 'approved', 'declined')
                then 'status not pending, approved or declined'
            when commission_amount is null
                then 'unparseable commission_amount'
            when network_fee is null then 'unparseable network_fee'
            when occurred_at is null then 'missing or unparseable occurred_at'
            when updated_at is null then 'missing or unparseable updated_at'
            when
                {{ implausible_time_reason('occurred_at', 'occurred_at') }}
                is not null
                then
                    {{ implausible_time_reason('occurred_at', 'occurred_at') }}
            when eur_per_unit is null
                then 'no EUR rate for the currency and day'
        end as quarantine_reason
    from converted
),

final as (
    select
        *,
        {{ to_eur('sale_amount', 'currency', 'eur_per_unit') }}
            as sale_amount_eur,
        {{ to_eur('commission_amount', 'currency', 'eur_per_unit') }}
            as commission_eur,
        {{ to_eur('network_fee', 'currency', 'eur_per_unit') }}
            as network_fee_eur,
        quarantine_reason is null and row_number() over (
            partition by
                network, network_transaction_id, quarantine_reason is null
            order by updated_at desc, source_file desc, row_hash asc
        ) > 1 as is_duplicate
    from checked
)

select * from final
