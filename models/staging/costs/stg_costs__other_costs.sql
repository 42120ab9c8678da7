-- One row per marketing cost that is not ad spend: its month, channel
-- group, partner (null for the channel as a whole), type and EUR amount.
with

costs as (
    select * from {{ ref('base_costs__other_costs') }}
),

final as (
    select
        {{ surrogate_key(['source_file', 'row_hash']) }} as other_cost_id,
        cost_month,
        channel_group,
        partner_id,
        cost_type,
        amount,
        currency,
        amount_eur,
        description,
        source_file
    from costs
    where quarantine_reason is null and not is_duplicate
)

select * from final
