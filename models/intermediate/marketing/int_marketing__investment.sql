-- One row per month, channel group and partner (null: the channel as a
-- whole) with what was invested in it, EUR: media spend (ad platforms'
-- exports), the affiliate networks' approved commissions and fees (a
-- declined transaction costs nothing; pending ones are shown apart, not
-- invested yet), and other costs (costs/). A commission belongs to the
-- month of its order, Affiliates and its partner. What the network claims
-- (its transactions that are not declined) is counted beside it.
with

spend as (
    select * from {{ ref('int_marketing__spend') }}
),

commissions as (
    select * from {{ ref('stg_affiliates__commissions') }}
),

other_costs as (
    select * from {{ ref('stg_costs__other_costs') }}
),

items as (
    select
        {{ dbt.date_trunc('month', 'spend_date') }} as month_start,
        channel_group,
        partner_id,
        spend_eur as media_spend_eur,
        0 as commission_eur,
        0 as pending_commission_eur,
        0 as other_costs_eur,
        0 as network_claimed_conversions,
        0 as network_claimed_sales_eur
    from spend
    union all
    select
        {{ dbt.date_trunc('month', 'occurred_at') }} as month_start,
        'Affiliates' as channel_group,
        partner_id,
        0 as media_spend_eur,
        case
            when status = 'approved' then commission_eur + network_fee_eur
            else 0
        end as commission_eur,
        case
            when status = 'pending' then commission_eur + network_fee_eur
            else 0
        end as pending_commission_eur,
        0 as other_costs_eur,
        case
            when status <> 'declined' then 1 else 0
        end as network_claimed_conversions,
        case
            when status <> 'declined' then sale_amount_eur else 0
        end as network_claimed_sales_eur
    from commissions
    union all
    select
        cost_month as month_start,
        channel_group,
        partner_id,
        0 as media_spend_eur,
        0 as commission_eur,
        0 as pending_commission_eur,
        amount_eur as other_costs_eur,
        0 as network_claimed_conversions,
        0 as network_claimed_sales_eur
    from other_costs
),

final as (
    select
        cast(month_start as date) as month_start,
        channel_group,
        partner_id,
        cast(sum(media_spend_eur) as decimal(18, 2)) as media_spend_eur,
        cast(sum(commission_eur) as decimal(18, 2)) as commission_eur,
        cast(sum(pending_commission_eur) as decimal(18, 2))
            as pending_commission_eur,
        cast(sum(other_costs_eur) as decimal(18, 2)) as other_costs_eur,
        cast(
            sum(media_spend_eur) + sum(commission_eur) + sum(other_costs_eur)
            as decimal(18, 2)
        ) as investment_eur,
        cast(sum(network_claimed_conversions) as integer)
            as network_claimed_conversions,
        cast(sum(network_claimed_sales_eur) as decimal(18, 2))
            as network_claimed_sales_eur
    from items
    group by 1, 2, 3
)

select * from final
