{#- GA4's default channel grouping, its rules in GA4's order, case-insensitive.
    Cross-network, Paid Other and Audio are not in the project's contract and
    fall through to the next rule that matches (at worst Unassigned). -#}

{% macro channel_source_key(source) -%}
    {#- The source as the channel_source_categories seed spells it: lower
        case, without a www./m./l. prefix and without the top-level domain
        (l.instagram.com -> instagram, www.google.fr -> google), unless that
        would leave a single letter (t.co stays t.co). -#}
    {%- set host = "regexp_replace(lower(trim(" ~ source ~ ")),"
        ~ " '^(www|m|l|lm|mobile|web)\\.', '')" -%}
    {%- set stripped = "regexp_replace(" ~ host
        ~ ", '\\.(com|[a-z]{2}|co\\.[a-z]{2}|com\\.[a-z]{2})$', '')" -%}
    case
        when length({{ stripped }}) > 1 then {{ stripped }}
        else {{ host }}
    end
{%- endmacro %}

{% macro channel_group(source, medium, campaign, source_category) -%}
    {%- set s = "lower(coalesce(" ~ source ~ ", ''))" -%}
    {%- set m = "lower(coalesce(" ~ medium ~ ", ''))" -%}
    {%- set c = "lower(coalesce(" ~ campaign ~ ", ''))" -%}
    {%- set cat = "coalesce(" ~ source_category ~ ", '')" -%}
    {%- set paid = regex_full_match(m, '.*cp.*|ppc|retargeting|paid.*') -%}
    {%- set shop_campaign = regex_full_match(c, '.*(([^a-df-z]|^)shop|shopping).*') -%}
    case
        when
            {{ s }} = '(direct)'
            and {{ m }} in ('(not set)', '(none)', '')
            then 'Direct'
        when
            ({{ cat }} = 'shopping' or {{ shop_campaign }}) and {{ paid }}
            then 'Paid Shopping'
        when {{ cat }} = 'search' and {{ paid }} then 'Paid Search'
        when {{ cat }} = 'social' and {{ paid }} then 'Paid Social'
        when {{ cat }} = 'video' and {{ paid }} then 'Paid Video'
        when
            {{ m }} in ('display', 'banner', 'expandable', 'interstitial', 'cpm')
            then 'Display'
        when {{ cat }} = 'shopping' or {{ shop_campaign }} then 'Organic Shopping'
        when
            {{ cat }} = 'social'
            or {{ m }} in (
                'social', 'social-network', 'social-media', 'sm',
                'social network', 'social media'
            )
            then 'Organic Social'
        when {{ cat }} = 'video' or {{ m }} like '%video%' then 'Organic Video'
        when {{ cat }} = 'search' or {{ m }} = 'organic' then 'Organic Search'
        when {{ m }} in ('referral', 'app', 'link') then 'Referral'
        when
            {{ s }} in ('email', 'e-mail', 'e_mail', 'e mail')
            or {{ m }} in ('email', 'e-mail', 'e_mail', 'e mail')
            then 'Email'
        when {{ m }} = 'affiliate' then 'Affiliates'
        when {{ s }} = 'sms' or {{ m }} = 'sms' then 'SMS'
        when
            {{ m }} like '%push'
            or {{ m }} like '%mobile%'
            or {{ m }} like '%notification%'
            or {{ s }} = 'firebase'
            then 'Mobile Push Notifications'
        else 'Unassigned'
    end
{%- endmacro %}

{% macro attribution_models() -%}
    {#- The attribution models of fct_attribution, in the contract's order. -#}
    {{ return(heuristic_attribution_models() + data_driven_attribution_models()) }}
{%- endmacro %}

{% macro heuristic_attribution_models() -%}
    {#- The models whose credits of a conversion depend on its own journey
        alone (int_attribution__heuristic_credits). -#}
    {{ return([
        'first_touch', 'last_touch', 'last_non_direct', 'linear',
        'time_decay', 'position_based',
    ]) }}
{%- endmacro %}

{% macro data_driven_attribution_models() -%}
    {#- The models whose credits come from every journey's path
        (int_attribution__path_credits, int_attribution__data_driven_credits). -#}
    {{ return(['markov', 'shapley']) }}
{%- endmacro %}

{% macro channel_group_names() -%}
    {#- The channel groups of the contract: GA4's default channel grouping
        names, plus Store for in-store contacts. -#}
    {{ return([
        'Direct', 'Organic Search', 'Paid Search', 'Organic Social',
        'Paid Social', 'Email', 'Referral', 'Display', 'Affiliates',
        'Organic Shopping', 'Paid Shopping', 'Organic Video', 'Paid Video',
        'SMS', 'Mobile Push Notifications', 'Unassigned', 'Store',
    ]) }}
{%- endmacro %}

{% macro partner_channel_groups() -%}
    {#- The channel groups whose touches are bought from a partner: ad
        platforms and publishers (paid), affiliates. -#}
    {{ return([
        'Paid Search', 'Paid Social', 'Paid Shopping', 'Paid Video',
        'Display', 'Affiliates',
    ]) }}
{%- endmacro %}

{% macro partner_id(channel_group, source) -%}
    {#- The partner of a paid or affiliate touch or cost: its source, lower
        case (tiktok, google, an affiliate's partner_id); null for the other
        channel groups, whose costs belong to the channel as a whole. -#}
    case
        when {{ channel_group }} in (
            {%- for group in partner_channel_groups() %}
                '{{ group }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
            then nullif(lower(trim({{ source }})), '')
    end
{%- endmacro %}
