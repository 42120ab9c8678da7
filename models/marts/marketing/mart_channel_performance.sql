-- One row per day, channel group, campaign and attribution model: what was
-- spent (ad platform exports, the spend's UTM values grouped like a
-- session's: int_marketing__spend), the sessions that came in, and the
-- conversions and revenue the model credits to that day's touches.
-- Attributed figures are dated by the touch, so they line up with the spend
-- that bought it. A campaign without a utm_campaign is `(not set)`.
with

spend as (
    select * from {{ ref('int_marketing__spend') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

attribution as (
    select * from {{ ref('fct_attribution') }}
),

models as (
    {% for model_name in attribution_models() %}
        select '{{ model_name }}' as attribution_model
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

spend_grouped as (
    select
        spend_date as date_day,
        channel_group,
        campaign,
        cast(sum(spend_eur) as decimal(18, 2)) as spend_eur,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks
    from spend
    group by 1, 2, 3
),

sessions_grouped as (
    select
        cast(started_at as date) as date_day,
        channel_group,
        coalesce(campaign, '(not set)') as campaign,
        count(*) as sessions
    from sessions
    group by 1, 2, 3
),

attributed_grouped as (
    select
        cast(touchpoints.touched_at as date) as date_day,
        touchpoints.channel_group,
        coalesce(touchpoints.campaign, '(not set)') as campaign,
        attribution.attribution_model,
        sum(attribution.credit) as conversions,
        sum(attribution.revenue_eur) as revenue_eur
    from attribution
    inner join touchpoints
        on attribution.touchpoint_id = touchpoints.touchpoint_id
    group by 1, 2, 3, 4
),

keys as (
    select
        date_day,
        channel_group,
        campaign
    from spend_grouped
    union
    select
        date_day,
        channel_group,
        campaign
    from sessions_grouped
    union
    select
        date_day,
        channel_group,
        campaign
    from attributed_grouped
),

final as (
    select
        keys.date_day as date,  -- noqa: RF04
        keys.channel_group,
        keys.campaign,
        models.attribution_model,
        coalesce(spend_grouped.spend_eur, 0) as spend_eur,
        coalesce(spend_grouped.impressions, 0) as impressions,
        coalesce(spend_grouped.clicks, 0) as clicks,
        coalesce(sessions_grouped.sessions, 0) as sessions,
        coalesce(attributed_grouped.conversions, 0) as conversions,
        coalesce(attributed_grouped.revenue_eur, 0) as revenue_eur,
        attributed_grouped.revenue_eur
        / nullif(spend_grouped.spend_eur, 0) as roas,
        spend_grouped.spend_eur
        / nullif(attributed_grouped.conversions, 0) as cost_per_conversion
    from keys
    cross join models
    left join spend_grouped
        on
            keys.date_day = spend_grouped.date_day
            and keys.channel_group = spend_grouped.channel_group
            and keys.campaign = spend_grouped.campaign
    left join sessions_grouped
        on
            keys.date_day = sessions_grouped.date_day
            and keys.channel_group = sessions_grouped.channel_group
            and keys.campaign = sessions_grouped.campaign
    left join attributed_grouped
        on
            keys.date_day = attributed_grouped.date_day
            and keys.channel_group = attributed_grouped.channel_group
            and keys.campaign = attributed_grouped.campaign
            and models.attribution_model = attributed_grouped.attribution_model
)

select * from final
