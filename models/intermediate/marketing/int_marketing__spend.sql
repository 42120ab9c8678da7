-- One row per ad platform spend row (stg_ads__spend) with the channel group
-- its UTM values give (grouped like a session's) and its partner: the
-- utm_source of a paid channel (macro partner_id).
with

spend as (
    select * from {{ ref('stg_ads__spend') }}
),

categories as (
    select * from {{ ref('channel_source_categories') }}
),

grouped as (
    select
        spend.ad_spend_id,
        spend.spend_date,
        spend.utm_source,
        spend.utm_campaign,
        spend.spend_eur,
        spend.impressions,
        spend.clicks,
        {{ channel_group(
            'lower(spend.utm_source)',
            'lower(spend.utm_medium)',
            'spend.utm_campaign',
            'categories.source_category'
        ) }} as channel_group
    from spend
    left join categories
        on {{ channel_source_key('spend.utm_source') }} = categories.source
),

final as (
    select
        ad_spend_id,
        spend_date,
        channel_group,
        {{ partner_id('channel_group', 'utm_source') }} as partner_id,
        coalesce(utm_campaign, '(not set)') as campaign,
        spend_eur,
        impressions,
        clicks
    from grouped
)

select * from final
