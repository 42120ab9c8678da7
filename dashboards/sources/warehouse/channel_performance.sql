-- Channel performance per day, channel and attribution model (campaigns
-- summed). Spend repeats on every model's row: never sum it across models.
select
    date,
    channel_group,
    attribution_model,
    sum(spend_eur) as spend_eur,
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(sessions) as sessions,
    sum(conversions) as conversions,
    sum(revenue_eur) as revenue_eur
from marts.mart_channel_performance
group by all
