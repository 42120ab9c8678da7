"""The SQL that spells the simulated world as landing-zone rows (views over the tables of blocks.generate)."""

ZERO_ADID = "00000000-0000-0000-0000-000000000000"

PERSON_IDS = """
create or replace view person_ids as
select
    p, persona, country, is_qa, is_employee, has_phone, erased_at,
    person_key(p) as person_id,
    user_id(p, is_qa, p - {first_internal} + 1) as user_id,
    email_of(p, country) as email,
    phone_e164(p, country) as phone,
    card_of(p) as card,
    ip_of(p) as ip,
    uuid_of('idfv', p) as idfv,
    case when denies_tracking then '{zero}' else uuid_of('adid', p) end as adid,
    'inst-' || substr(hx('inst', p), 1, 12) as install_id,
    case when is_ios then 'ios' else 'android' end as os,
    case country when 2 then 'GBP' when 3 then 'USD' else 'EUR' end as currency
from persons
"""

EVENTS_FULL = """
create or replace table ev_full as
with base as (
    select
        e.*, s.p, s.device, s.channel, s.campaign, s.late_days, s.started_at,
        s.device = 3 as is_app,
        k.kind as kind_name, ch.channel as channel_name,
        pi.person_id, pi.user_id, pi.country, pi.ip, pi.idfv, pi.adid,
        pi.install_id, pi.os, pi.currency,
        pr.product_id, pr.price_eur, r.eur_per_unit,
        cm.source as c_source, cm.medium as c_medium, cm.name as c_name,
        case when ch.channel = 'email' then email_campaign(ml.campaign) end as mail_campaign,
        case when ch.channel = 'email' then esp_of(ml.c) end as eid,
        case when ch.channel = 'push' then push_name(s.campaign) end as push_campaign
    from events as e
    inner join sessions as s using (s)
    inner join kinds as k on k.i = e.kind
    inner join channels as ch on ch.i = s.channel
    inner join person_ids as pi on pi.p = s.p
    inner join products as pr on pr.i = e.product
    inner join rates as r on r.currency = pi.currency
    left join campaigns as cm on cm.i = s.campaign and ch.channel not in ('push', 'email')
    left join mail as ml on ml.m = s.email_send
),
shaped as (
    select
        *,
        case
            when kind_name in ('identify', 'identify_newsletter') then 'identify'
            when not is_app and kind_name in ('landing', 'product_page', 'extra_page') then 'page'
            when is_app and kind_name in ('product_page', 'extra_page') then 'screen'
            else 'track'
        end as type,
        case kind_name
            when 'install' then 'Application Installed'
            when 'landing' then case when not is_app then null
                when channel_name = 'push' then 'Push Notification Opened'
                else 'Application Opened' end
            when 'search' then 'Products Searched'
            when 'product_viewed' then 'Product Viewed'
            when 'added' then 'Product Added'
            when 'cart' then 'Cart Viewed'
            when 'newsletter' then 'Newsletter Subscribed'
            when 'signed_up' then 'Signed Up'
            when 'checkout' then 'Checkout Started'
            when 'order' then 'Order Completed'
            when 'review' then 'Product Reviewed'
            when 'referral' then 'Referral Sent'
            when 'unknown' then 'Wishlist Shared'
        end as event,
        case
            when junk_anonymous = 1 then 'undefined'
            when junk_anonymous = 2 then ''
            when junk_anonymous = 3 then 'null'
            when is_app then install_id
            when cookie < 0 then uuid_of('tablet', cookie)
            else uuid_of('ck', cookie)
        end as anonymous_id,
        case
            when logged_in then user_id
            when junk_user = 1 then 'null'
            when junk_user = 2 then '0'
            when junk_user = 3 then '-1'
            when junk_user = 4 then 'guest'
        end as sent_user_id,
        case
            when kind_name = 'landing' and channel_name in
                ('paid_search', 'paid_social', 'display', 'affiliates')
                then '/products/' || product_id
            when kind_name = 'landing' and channel_name = 'email' then '/new'
            when kind_name = 'landing' then '/'
            when kind_name in ('product_page', 'product_viewed', 'added', 'review')
                then '/products/' || product_id
            when kind_name = 'extra_page' and malformed then '/%%bad-url'
            when kind_name = 'extra_page' then ['/collections/tea', '/about',
                '/collections/mugs', '/gifts'][1 + variant % 4]
            when kind_name = 'cart' then '/cart'
            when kind_name = 'checkout' then '/checkout'
            when kind_name = 'order' then '/checkout/done'
            when kind_name = 'search' then '/search'
            else '/account'
        end as path,
        case
            when kind_name <> 'landing' then null
            when channel_name = 'paid_search' then '?utm_source=' || c_source
                || '&utm_medium=' || c_medium || '&utm_campaign=' || c_name
                || '&gclid=' || substr(hx('gclid', e), 1, 20)
            when channel_name = 'paid_social' then '?utm_source=' || c_source
                || '&utm_medium=' || c_medium || '&utm_campaign=' || c_name
                || '&utm_content=' || ['video_a', 'carousel_b'][1 + variant % 2]
                || case when c_source in ('instagram', 'facebook')
                    then '&fbclid=' || substr(hx('fbclid', e), 1, 24) else '' end
            when channel_name in ('display', 'affiliates') then '?utm_source=' || c_source
                || '&utm_medium=' || c_medium || '&utm_campaign=' || c_name
            when channel_name = 'email' then '?utm_source=newsletter&utm_medium=email'
                || '&utm_campaign=' || mail_campaign || '&eid=' || eid
        end as query_string,
        case
            when kind_name <> 'landing' then ''
            when channel_name = 'organic_search' then ['https://www.google.com/',
                'https://www.google.fr/', 'https://www.bing.com/',
                'https://duckduckgo.com/'][1 + variant % 4]
            when channel_name = 'organic_social' then ['https://www.facebook.com/',
                'https://www.instagram.com/', 'https://t.co/abc',
                'https://www.pinterest.com/'][1 + variant % 4]
            when channel_name = 'referral' then ['https://www.teablog.example/best-mugs',
                'https://forum.example.org/t/teapots'][1 + variant % 2]
            when channel_name = 'paid_search' then 'https://www.google.com/'
            when channel_name = 'paid_social' and c_source = 'instagram'
                then 'https://l.instagram.com/'
            when channel_name = 'paid_social' and c_source = 'facebook'
                then 'https://l.facebook.com/'
            else ''
        end as referrer,
        ts + to_milliseconds(
            (late_days * 86400000)::bigint * is_app::int + jitter_ms
        ) as received_at,
        case when kind_name = 'order' then order_id::varchar end as order_key,
        case when kind_name = 'order'
            then round(price_eur * quantity / eur_per_unit, 2) end as revenue
    from base
)
select * from shaped
"""

# (JSON key, SQL expression) of the fields web and app events share, in the
# order Segment writes them; {ts}, {sent} and {received} are filled per source.
COMMON_FIELDS = [
    ("messageId", "uuid_of('msg', e)"),
    ("type", "type"),
    ("event", "event"),
    (
        "name",
        "case when type = 'screen' then case kind_name when 'product_page' "
        "then 'Product' else 'Browse' end end",
    ),
    ("anonymousId", "anonymous_id"),
    ("userId", "sent_user_id"),
    ("timestamp", "{ts}"),
    ("sentAt", "{sent}"),
    ("receivedAt", "{received}"),
    (
        "properties",
        """{
        'product_id': case when kind_name in ('product_viewed', 'added', 'review', 'order')
            then product_id end,
        'price': case when kind_name in ('product_viewed', 'added', 'order')
            then round(price_eur / eur_per_unit, 2) end,
        'quantity': case when kind_name in ('added', 'order') then quantity end,
        'cart_id': case when kind_name in ('added', 'cart', 'checkout')
            then 'cart-' || s::varchar end,
        'order_id': order_key,
        'revenue': revenue,
        'currency': case when kind_name = 'order' then currency end,
        'coupon': case when kind_name = 'order' and variant = 7 then 'WELCOME10' end,
        'query': case when kind_name = 'search' then
            ['blue mug', 'teapot', 'gift set'][1 + variant % 3] end,
        'rating': case when kind_name = 'review' then 3 + variant % 3 end,
        'referral_code': case when kind_name = 'referral'
            then 'REF-' || upper(substr(hx('ref', p), 1, 6)) end,
        'push_campaign': case when kind_name = 'landing' then push_campaign end{products}
    }""",
    ),
    ("traits", "{traits}"),
]

TRAITS = """case when traits > 0 then {
    'email': email_as_typed(p, country, variant),
    'phone': case when traits = 2 then phone_as_typed(p, country, variant) end
} end"""
COMMON_FIELDS = [(k, TRAITS if v == "{traits}" else v) for k, v in COMMON_FIELDS]

# The fields real Segment and RudderStack exports carry beside the spec's
# (CONTRACT.md: tolerated, and request_ip is personal data like context.ip).
_SEGMENT = [
    ("originalTimestamp", "{ts}"),
    ("integrations", "{'All': true}"),
    ("version", "2"),
    ("_metadata", "{'bundled': ['Segment.io'], 'unbundled': []::varchar[]}"),
    ("projectId", "'Xy12AbC'"),
    ("writeKey", "'wk_' || substr(hx('wk', 1), 1, 16)"),
]
VENDOR_FIELDS = {
    ("segment", "web"): _SEGMENT + [("channel", "'client'")],
    ("segment", "app"): _SEGMENT + [("channel", "'mobile'")],
    ("rudderstack", "web"): [
        ("originalTimestamp", "{ts}"),
        ("channel", "'web'"),
        ("rudderId", "uuid_of('rudder', p)"),
        ("request_ip", "ip"),
        ("integrations", "{'All': true}"),
    ],
    ("rudderstack", "app"): [
        ("originalTimestamp", "{ts}"),
        ("channel", "'mobile'"),
        ("rudderId", "uuid_of('rudder', p)"),
        ("request_ip", "ip"),
        ("integrations", "{'All': true}"),
    ],
}
# Segment's e-commerce spec: Order Completed lists its products
VENDOR_PRODUCTS = """,
        'products': case when kind_name = 'order' then [{
            'product_id': product_id, 'sku': upper(product_id),
            'price': round(price_eur / eur_per_unit, 2), 'quantity': quantity
        }] end"""
VENDOR_LIBRARIES = {
    ("segment", "web"): ("analytics.js", "5.2.0"),
    ("segment", "app"): ("analytics-swift", "1.5.11"),
    ("rudderstack", "web"): ("RudderLabs JavaScript SDK", "3.7.4"),
    ("rudderstack", "app"): ("com.rudderstack.android.sdk.core", "1.20.0"),
}


CAMPAIGN_STRUCT = """
case when kind_name = 'landing' and channel_name = 'push' then
    {'source': 'firebase', 'medium': 'push', 'name': push_campaign,
     'content': null::varchar, 'term': null::varchar}
when kind_name = 'landing' and c_source is not null then
    {'source': c_source, 'medium': c_medium, 'name': c_name,
     'content': null, 'term': null}
when kind_name = 'landing' and mail_campaign is not null then
    {'source': 'newsletter', 'medium': 'email', 'name': mail_campaign,
     'content': null, 'term': null}
end
"""

USER_AGENTS = """
case
    when device = 1 and p % 3 = 0 then 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'
    when device = 1 then 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36'
    when os = 'ios' and device in (0, 4) then 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'
    when os = 'ios' then 'Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'
    else 'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36'
end
"""
