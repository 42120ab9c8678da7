-- GA4's default channel grouping, row by row on source / medium / campaign
-- cases; returns the cases the channel_group macro gets wrong.
{{ config(tags=['unit']) }}

with

cases as (
    select
        examples.source,
        examples.medium,
        examples.campaign,
        examples.expected
    from (
        values
        ('(direct)', '(none)', null, 'Direct'),
        ('(direct)', '(not set)', null, 'Direct'),
        ('google', 'organic', null, 'Organic Search'),
        ('www.google.fr', 'referral', null, 'Organic Search'),
        ('duckduckgo.com', 'referral', null, 'Organic Search'),
        ('Google', 'CPC', 'brand_search', 'Paid Search'),
        ('bing', 'ppc', 'generic', 'Paid Search'),
        ('google', 'cpc', 'shopping_feed', 'Paid Shopping'),
        ('amazon', 'paid', 'spring', 'Paid Shopping'),
        ('amazon', 'referral', null, 'Organic Shopping'),
        ('newsletter', 'referral', 'summer_shop', 'Organic Shopping'),
        ('facebook', 'cpc', 'retargeting', 'Paid Social'),
        ('instagram', 'paid_social', 'spring_mugs', 'Paid Social'),
        ('tiktok', 'paid_social', 'autumn_mugs', 'Paid Social'),
        ('l.instagram.com', 'referral', null, 'Organic Social'),
        ('t.co', 'social', null, 'Organic Social'),
        ('t.co', 'referral', null, 'Organic Social'),
        ('pinterest', 'referral', null, 'Organic Social'),
        ('youtube', 'cpv', 'launch', 'Paid Video'),
        ('youtube', 'referral', null, 'Organic Video'),
        ('partner', 'video', null, 'Organic Video'),
        ('criteo', 'display', 'retargeting_display', 'Display'),
        ('criteo', 'cpm', 'prospecting', 'Display'),
        ('teablog.example', 'referral', null, 'Referral'),
        ('newsletter', 'email', 'weekly_news_w03', 'Email'),
        ('e-mail', 'newsletter', null, 'Email'),
        ('cashbackworld', 'affiliate', 'partner_q1', 'Affiliates'),
        ('sms', 'text', null, 'SMS'),
        ('firebase', 'push', 'mug_restock', 'Mobile Push Notifications'),
        ('braze', 'mobile', null, 'Mobile Push Notifications'),
        ('unknownsource', 'weirdmedium', null, 'Unassigned'),
        (null, null, null, 'Unassigned')
    ) as examples (source, medium, campaign, expected)
),

categories as (
    select * from {{ ref('channel_source_categories') }}
),

grouped as (
    select
        cases.source,
        cases.medium,
        cases.campaign,
        cases.expected,
        {{ channel_group(
            'cases.source', 'cases.medium', 'cases.campaign',
            'categories.source_category'
        ) }} as actual
    from cases
    left join categories
        on {{ channel_source_key('cases.source') }} = categories.source
)

select *
from grouped
where actual is distinct from expected
