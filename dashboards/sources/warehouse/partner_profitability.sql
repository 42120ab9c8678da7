-- Investment and attributed results per channel group, partner and
-- attribution model, months summed. Investment repeats on every model's row:
-- never sum it across models.
select
    channel_group,
    coalesce(partner_id, '(channel)') as partner,
    attribution_model,
    sum(investment_eur) as investment_eur,
    sum(media_spend_eur) as media_spend_eur,
    sum(commission_eur) as commission_eur,
    sum(pending_commission_eur) as pending_commission_eur,
    sum(other_costs_eur) as other_costs_eur,
    sum(attributed_conversions) as attributed_conversions,
    sum(attributed_revenue_eur) as attributed_revenue_eur,
    sum(attributed_gross_margin_eur) as attributed_gross_margin_eur,
    sum(network_claimed_conversions) as network_claimed_conversions
from marts.mart_partner_profitability
group by all
