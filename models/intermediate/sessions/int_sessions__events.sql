-- One row per staged web or app event with what sessionization needs: the
-- device it happened on (cookie or app install), its time, and the traffic
-- source it carries. An event whose cookie or install id is junk has no
-- device to share a session with: it becomes a session of its own. Events of
-- people who asked for erasure (the identity suppression list) are left out.
with

web_events as (
    select * from {{ ref('stg_web__events') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

junk as (
    select * from {{ ref('int_identity__junk_hashes') }}
),

erased as (
    select * from {{ ref('int_identity__erased_identifiers') }}
),

unioned as (
    {% for platform, cookie_type in [
        ('web', 'anonymous_id'), ('app', 'install_id')
    ] %}
        select
            '{{ platform }}' as platform,
            '{{ cookie_type }}' as device_key_type,
            message_id,
            source_file,
            loaded_at,
            anonymous_id_hash,
            user_id_hash,
            occurred_at,
            event_type,
            event_name,
            page_path,
            {% if platform == 'web' %}
                referrer_host,
                user_agent,
                cast(null as varchar) as app_device_type,
            {% else %}
                cast(null as varchar) as referrer_host,
                cast(null as varchar) as user_agent,
                device_type as app_device_type,
            {% endif %}
            utm_source,
            utm_medium,
            utm_campaign,
            has_gclid,
            order_id,
            is_erased
        from {{ platform }}_events
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

referred as (
    select
        *,
        referrer_host is not null
        and lower(referrer_host) not in (
            {%- for host in var('site_hosts') %}
                '{{ host }}'{{ "," if not loop.last }}
            {%- endfor %}
        ) as has_external_referrer
    from unioned
),

final as (
    select
        unioned.platform,
        unioned.message_id,
        case
            when
                unioned.anonymous_id_hash is null
                or junk.identifier_hash is not null
                then 'event:' || unioned.platform || ':' || unioned.message_id
            else unioned.anonymous_id_hash
        end as device_key,
        unioned.device_key_type,
        unioned.user_id_hash,
        unioned.occurred_at,
        unioned.event_type,
        unioned.event_name,
        unioned.page_path,
        unioned.event_type in ('page', 'screen') as is_view,
        {{ is_segment_event('unioned.event_name', 'purchase') }}
            as is_conversion,
        unioned.order_id,
        case
            when unioned.platform = 'app' then 'mobile'
            when unioned.user_agent like '%iPad%' then 'tablet'
            when
                unioned.user_agent like '%Mobile%'
                or unioned.user_agent like '%iPhone%'
                then 'mobile'
            else 'desktop'
        end as device_type,
        -- the traffic source the event carries, GA4's way: UTM values, an
        -- auto-tagged Google Ads click, an external referrer, or nothing
        case
            when unioned.utm_source is not null then lower(unioned.utm_source)
            when unioned.has_gclid then 'google'
            when unioned.has_external_referrer
                then lower(unioned.referrer_host)
        end as source,
        case
            when unioned.utm_source is not null
                then lower(coalesce(unioned.utm_medium, '(not set)'))
            when unioned.has_gclid then 'cpc'
            when unioned.has_external_referrer then 'referral'
        end as medium,
        unioned.utm_campaign as campaign,
        unioned.source_file,
        unioned.loaded_at
    from referred as unioned
    left join junk
        on
            unioned.device_key_type = junk.identifier_type
            and unioned.anonymous_id_hash = junk.identifier_hash
    left join erased as erased_devices
        on
            unioned.device_key_type = erased_devices.identifier_type
            and unioned.anonymous_id_hash = erased_devices.identifier_hash
    left join erased as erased_accounts
        on
            erased_accounts.identifier_type = 'user_id'
            and unioned.user_id_hash = erased_accounts.identifier_hash
    where
        erased_devices.identifier_hash is null
        and erased_accounts.identifier_hash is null
        -- erased by an earlier build: the row is kept without identifiers
        and not unioned.is_erased
)

select * from final
