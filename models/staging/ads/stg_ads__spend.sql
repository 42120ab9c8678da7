with

spend as (
    select * from {{ ref('base_ads__spend') }}
),

final as (
    select
        {{ surrogate_key(['spend_date', 'platform', 'campaign_id']) }}
            as ad_spend_id,
        spend_date,
        platform,
        account_id,
        campaign_id,
        campaign_name,
        utm_source,
        utm_medium,
        utm_campaign,
        impressions,
        clicks,
        spend,
        currency,
        spend_eur,
        source_file
    from spend
    where quarantine_reason is null and not is_duplicate
)

select * from final
