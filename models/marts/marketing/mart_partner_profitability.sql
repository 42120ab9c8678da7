-- One row per month, channel group, partner and attribution model: what was
-- invested in the partner (int_marketing__investment: media spend, approved
-- commissions and network fees, other costs; the same under every model)
-- and what the model credits to its touches that month: conversions,
-- revenue and gross margin (credit x the conversion's margin, over the
-- conversions whose cost of goods is known; the credit of the others is
-- counted apart). partner_id is null for a channel's costs and touches that
-- no partner sold (Email, Organic Search...). For affiliates, the network's
-- own claims stand beside the models' credit.
--   roas = attributed revenue / investment
--   poas = attributed gross margin / investment (1.0 breaks even on goods)
--   profit_per_euro = (attributed gross margin - investment) / investment
with

investment as (
    select * from {{ ref('int_marketing__investment') }}
),

attribution as (
    select * from {{ ref('fct_attribution') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

models as (
    {% for model_name in attribution_models() %}
        select '{{ model_name }}' as attribution_model
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

attributed as (
    select
        cast(
            {{ dbt.date_trunc('month', 'touchpoints.touched_at') }} as date
        ) as month_start,
        attribution.channel_group,
        attribution.partner_id,
        attribution.attribution_model,
        sum(attribution.credit) as attributed_conversions,
        sum(attribution.revenue_eur) as attributed_revenue_eur,
        sum(attribution.credit * conversions.gross_margin_eur)
            as attributed_gross_margin_eur,
        sum(
            case
                when conversions.gross_margin_eur is null
                    then attribution.credit
                else 0
            end
        ) as attributed_conversions_unknown_margin
    from attribution
    inner join touchpoints
        on attribution.touchpoint_id = touchpoints.touchpoint_id
    inner join conversions
        on attribution.conversion_id = conversions.conversion_id
    group by 1, 2, 3, 4
),

keys as (
    select
        month_start,
        channel_group,
        partner_id
    from investment
    union
    select
        month_start,
        channel_group,
        partner_id
    from attributed
),

joined as (
    select
        keys.month_start,
        keys.channel_group,
        keys.partner_id,
        models.attribution_model,
        coalesce(investment.media_spend_eur, 0) as media_spend_eur,
        coalesce(investment.commission_eur, 0) as commission_eur,
        coalesce(investment.pending_commission_eur, 0)
            as pending_commission_eur,
        coalesce(investment.other_costs_eur, 0) as other_costs_eur,
        coalesce(investment.investment_eur, 0) as investment_eur,
        coalesce(investment.network_claimed_conversions, 0)
            as network_claimed_conversions,
        coalesce(investment.network_claimed_sales_eur, 0)
            as network_claimed_sales_eur,
        coalesce(attributed.attributed_conversions, 0)
            as attributed_conversions,
        coalesce(attributed.attributed_revenue_eur, 0)
            as attributed_revenue_eur,
        coalesce(attributed.attributed_gross_margin_eur, 0)
            as attributed_gross_margin_eur,
        coalesce(attributed.attributed_conversions_unknown_margin, 0)
            as attributed_conversions_unknown_margin
    from keys
    cross join models
    left join investment
        on
            keys.month_start = investment.month_start
            and keys.channel_group = investment.channel_group
            and coalesce(keys.partner_id, '')
            = coalesce(investment.partner_id, '')
    left join attributed
        on
            keys.month_start = attributed.month_start
            and keys.channel_group = attributed.channel_group
            and coalesce(keys.partner_id, '')
            = coalesce(attributed.partner_id, '')
            and models.attribution_model = attributed.attribution_model
),

final as (
    select
        month_start as month,  -- noqa: RF04
        channel_group,
        partner_id,
        attribution_model,
        media_spend_eur,
        commission_eur,
        pending_commission_eur,
        other_costs_eur,
        investment_eur,
        cast(attributed_conversions as {{ type_double() }})
            as attributed_conversions,
        cast(attributed_revenue_eur as {{ type_double() }})
            as attributed_revenue_eur,
        cast(attributed_gross_margin_eur as {{ type_double() }})
            as attributed_gross_margin_eur,
        cast(attributed_conversions_unknown_margin as {{ type_double() }})
            as attributed_conversions_unknown_margin,
        network_claimed_conversions,
        network_claimed_sales_eur,
        attributed_revenue_eur / nullif(investment_eur, 0) as roas,
        attributed_gross_margin_eur / nullif(investment_eur, 0) as poas,
        (attributed_gross_margin_eur - investment_eur)
        / nullif(investment_eur, 0) as profit_per_euro
    from joined
)

select * from final
