{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('ads', 'spend'),
        ['date', 'campaign_id', 'spend', 'currency']
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
            landing_path('source.filename'), 'source.date', 'source.platform',
            'source.campaign_id', 'source.spend'
        ]) }} as row_hash,
        try_cast(source.date as date) as spend_date,
        lower(nullif(trim(source.platform), '')) as platform,
        nullif(trim(source.account_id), '') as account_id,
        nullif(trim(source.campaign_id), '') as campaign_id,
        nullif(trim(source.campaign_name), '') as campaign_name,
        nullif(trim(source.utm_source), '') as utm_source,
        nullif(trim(source.utm_medium), '') as utm_medium,
        nullif(trim(source.utm_campaign), '') as utm_campaign,
        try_cast(source.impressions as bigint) as impressions,
        try_cast(source.clicks as bigint) as clicks,
        {{ parse_amount('source.spend') }} as spend,
        upper(nullif(trim(source.currency), '')) as currency
    from source
),

converted as (
    select
        typed.*,
        {{ to_eur('typed.spend', 'typed.currency', 'rates.eur_per_unit') }}
            as spend_eur,
        {{ eur_per_unit('typed.currency', 'rates.eur_per_unit') }}
            as eur_per_unit
    from typed
    left join rates
        on {{ rate_on_day('rates', 'typed.currency', 'typed.spend_date') }}
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when spend_date is null then 'unparseable date'
            when {{ implausible_time_reason('spend_date', 'date') }} is not null
                then {{ implausible_time_reason('spend_date', 'date') }}
            when campaign_id is null then 'missing campaign_id'
            when spend is null then 'unparseable spend'
            when impressions is null or clicks is null
                then 'unparseable impressions or clicks'
            when eur_per_unit is null
                then 'no EUR rate for the currency and day'
        end as quarantine_reason
    from converted
),

final as (
    select
        *,
        -- a re-exported day replaces the earlier export of the same day
        quarantine_reason is null and row_number() over (
            partition by
                spend_date, platform, campaign_id, quarantine_reason is null
            order by source_file desc, row_hash asc
        ) > 1 as is_duplicate
    from checked
)

select * from final
