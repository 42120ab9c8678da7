-- One row per staged web or app event with what sessionization needs: the
-- device it happened on (cookie or app install), its time, and the traffic
-- source it carries. An event whose cookie or install id is junk has no
-- device to share a session with: it becomes a session of its own. Events of
-- people who asked for erasure (the identity suppression list) are left out.
--
-- Incremental, replace_keys by message: an event depends on its own line,
-- the other receipts of its messageId and the erasure list alone, so a build
-- stages the events of the lines it loaded, stages again the events it held
-- from a file read again, and removes those an erasure now reaches; the
-- other events keep their rows. The rows it replaces are kept (its
-- `__replaced` companion) for int_sessions__sessionized, which sessionizes
-- again the devices they were on; staged_at marks each build's rows, so
-- that a reader can tell when the table was written whole. tests_last_load:
-- a daily build's data tests check the rows it wrote (an event's row is
-- written whole, by its key).
-- depends_on: {{ ref('stg_web__event_files') }}
-- depends_on: {{ ref('stg_app__event_files') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['platform', 'message_id'],
    meta={
        'key_only_column': 'device_key',
        'keeps_replaced_rows': true,
        'tests_last_load': 'staged_at',
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook="{{ create_replaced_rows() }}",
) }}

{%- set watermark, any_reloaded = none, true %}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark('loaded_at') %}
    {%- set any_reloaded = holds_rows_of_event_files_read_since(watermark) %}
{%- endif %}

with

junk as (
    select * from {{ ref('int_identity__junk_hashes') }}
),

erased as (
    select * from {{ ref('int_identity__erased_identifiers') }}
),

{{ staged_events_by_platform(watermark, any_reloaded) }}
{% if is_incremental() -%}
    replaced_events as (
        -- the events the batch stages again or removes: those of a file read
        -- again, and those an erasure now reaches (the rule of
        -- `erased_events` below, applied to the rows held)
        select * from reloaded_events
        union
        {{ events_reached_by_erasure(this, 'device_key', 'erased') }}
    ),

{% endif -%}

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
                cast(null as {{ dbt.type_string() }}) as app_device_type,
            {% else %}
                cast(null as {{ dbt.type_string() }}) as referrer_host,
                cast(null as {{ dbt.type_string() }}) as user_agent,
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

erased_events as (
    -- the events of the batch an erasure reaches: left out
    {{ events_reached_by_erasure('unioned', 'anonymous_id_hash', 'erased') }}
),

final as (
    select
        unioned.platform,
        unioned.message_id,
        case
            when
                unioned.anonymous_id_hash is null
                or junk.identifier_hash is not null
                then {{ stand_in_device_key(
                    'unioned.platform', 'unioned.message_id'
                ) }}
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
        unioned.loaded_at,
        {{ loaded_at() }} as staged_at
    from referred as unioned
    left join junk
        on
            unioned.device_key_type = junk.identifier_type
            and unioned.anonymous_id_hash = junk.identifier_hash
    left join erased_events
        on
            unioned.platform = erased_events.platform
            and unioned.message_id = erased_events.message_id
    where
        erased_events.message_id is null
        -- erased by an earlier build: the row is kept without identifiers
        and not unioned.is_erased
    {%- if is_incremental() %}
        union all
        -- an event of a file read again, or erased, that the batch does not
        -- stage again: a row of its key alone, for replace_keys to delete it
        select
            replaced_events.platform,
            replaced_events.message_id,
            null as device_key,
            null as device_key_type,
            null as user_id_hash,
            null as occurred_at,
            null as event_type,
            null as event_name,
            null as page_path,
            null as is_view,
            null as is_conversion,
            null as order_id,
            null as device_type,
            null as source,
            null as medium,
            null as campaign,
            null as source_file,
            null as loaded_at,
            null as staged_at
        from replaced_events
    {%- endif %}
)

select * from final
