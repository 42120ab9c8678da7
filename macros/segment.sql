{#- Parse Segment-spec NDJSON lines (web and app share the spec) once, into
    typed, hashed columns plus a quarantine reason. Used by the base models of
    both event sources. -#}



{% macro is_segment_event(column, conversion_type=none) -%}
    {#- True when the event name is one of the seed segment_events (of the
        given conversion type, if one is given); false for a null name. -#}
    coalesce({{ column }} in (
        select event_name from {{ ref('segment_events') }}
        {%- if conversion_type %}
            where conversion_type = '{{ conversion_type }}'
        {%- endif %}
    ), false)
{%- endmacro %}

{% macro received_day(path) -%}
    {#- The day the collector received a file's events, from its folder: the
        contract's date=YYYY-MM-DD, Segment's segment-logs/<source>/<epoch ms>
        or RudderStack's rudder-logs/<source>/<YYYY-MM-DD or MM-DD-YYYY>. -#}
    coalesce(
        try_cast(regexp_extract({{ path }}, 'date=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1) as date),
        cast(epoch_ms(try_cast(nullif(regexp_extract(
            {{ path }}, 'segment-logs/[^/]+/([0-9]{13})/', 1
        ), '') as bigint)) as date),
        try_cast(regexp_extract(
            {{ path }}, 'rudder-logs/[^/]+/([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1
        ) as date),
        try_cast(
            regexp_extract({{ path }}, 'rudder-logs/[^/]+/[0-9]{2}-[0-9]{2}-([0-9]{4})/', 1)
            || '-' || regexp_extract({{ path }}, 'rudder-logs/[^/]+/([0-9]{2})-[0-9]{2}-[0-9]{4}/', 1)
            || '-' || regexp_extract({{ path }}, 'rudder-logs/[^/]+/[0-9]{2}-([0-9]{2})-[0-9]{4}/', 1)
            as date
        )
    )
{%- endmacro %}

{% macro parse_products(json_text) -%}
    {#- Segment's e-commerce products[] (Order Completed) as a list of
        structs; null when absent or not such a list. -#}
    try(from_json(
        {{ json_text }},
        '[{"product_id": "VARCHAR", "sku": "VARCHAR", "price": "DECIMAL(18, 4)", "quantity": "INTEGER"}]'
    ))
{%- endmacro %}

{% macro parse_segment_events(source_relation, platform) -%}
{%- set segment_paths = [
    ('message_id', '$.messageId'),
    ('event_type', '$.type'),
    ('event_name', '$.event'),
    ('screen_name', '$.name'),
    ('anonymous_id', '$.anonymousId'),
    ('user_id', '$.userId'),
    ('occurred_at', '$.timestamp'),
    ('sent_at', '$.sentAt'),
    ('received_at', '$.receivedAt'),
    ('page_url', '$.context.page.url'),
    ('page_path', '$.context.page.path'),
    ('page_referrer', '$.context.page.referrer'),
    ('page_title', '$.context.page.title'),
    ('user_agent', '$.context.userAgent'),
    ('ip', '$.context.ip'),
    ('campaign_source', '$.context.campaign.source'),
    ('campaign_medium', '$.context.campaign.medium'),
    ('campaign_name', '$.context.campaign.name'),
    ('campaign_content', '$.context.campaign.content'),
    ('campaign_term', '$.context.campaign.term'),
    ('device_id', '$.context.device.id'),
    ('advertising_id', '$.context.device.advertisingId'),
    ('device_type', '$.context.device.type'),
    ('device_model', '$.context.device.model'),
    ('os_name', '$.context.os.name'),
    ('app_version', '$.context.app.version'),
    ('product_id', '$.properties.product_id'),
    ('price', '$.properties.price'),
    ('quantity', '$.properties.quantity'),
    ('cart_id', '$.properties.cart_id'),
    ('order_id', '$.properties.order_id'),
    ('revenue', '$.properties.revenue'),
    ('currency', '$.properties.currency'),
    ('coupon', '$.properties.coupon'),
    ('search_query', '$.properties.query'),
    ('rating', '$.properties.rating'),
    ('referral_code', '$.properties.referral_code'),
    ('push_campaign', '$.properties.push_campaign'),
    ('trait_email', '$.traits.email'),
    ('trait_phone', '$.traits.phone'),
    ('context_trait_email', '$.context.traits.email'),
    ('context_trait_phone', '$.context.traits.phone'),
    ('request_ip', '$.request_ip'),
    ('products', '$.properties.products'),
] -%}
{%- set anonymous_type = 'anonymous_id' if platform == 'web' else 'install_id' -%}
with

files as (
    {{ gzip_files(source_relation) }}
),

read_lines as (
    select
        filename as source_file,
        line
    from {{ landing_relation(
        source_relation, readable_gzip_files(source_relation)
    ) }}
),

read_files as (
    select
        source_file,
        count(*) as lines_read,
        coalesce(sum(strlen(line)), 0) as bytes_read
    from read_lines
    group by source_file
),

-- A file read whole holds what its gzip trailer states: the bytes read plus
-- one or two line-end bytes per line (the last line may lack one), modulo
-- 2^32; line_end_bytes is what is left for them. A file that is not gzip, or that holds more than was read (a gzip
-- cut short, a line over the reader's 2 MB limit), is one row with a reason.
measured_files as (
    select
        files.*,
        coalesce(read_files.lines_read, 0) as lines_read,
        (
            (
                files.stated_bytes - coalesce(read_files.bytes_read, 0)
                - coalesce(read_files.lines_read, 0)
            ) % 4294967296 + 4294967296
        ) % 4294967296 as line_end_bytes
    from files
    left join read_files on files.source_file = read_files.source_file
),

unread_files as (
    select
        source_file,
        case
            when not is_gzip
                then 'file is not gzip-compressed (named .gz)'
            else 'gzip file only partly readable (cut short, or a line over'
                || ' 2 MB): the rest of it is lost'
        end as unread_reason
    from measured_files
    where
        file_bytes > 0
        and (
            not is_gzip
            or stated_bytes is null
            or not (
                line_end_bytes <= lines_read
                or line_end_bytes = 4294967295
            )
        )
),

file_days as (
    -- the received day, read from each file's folder once per file
    select
        source_file,
        {{ received_day('source_file') }} as partition_date
    from measured_files
),

lines as (
    select
        source_file,
        line,
        json_valid(line) as is_valid_json,
        cast(null as varchar) as unread_reason
    from read_lines
    union all
    select
        source_file,
        cast(null as varchar) as line,
        false as is_valid_json,
        unread_reason
    from unread_files
),

extracted as (
    select
        source_file,
        md5(coalesce(line, unread_reason)) as row_hash,
        is_valid_json,
        unread_reason,
        case when is_valid_json then
            json_extract_string(line, [
            {%- for _, path in segment_paths %}
                '{{ path }}'{{ "," if not loop.last }}
            {%- endfor %}
            ])
        end as f
    from lines
),

fields as (
    select
        source_file,
        row_hash,
        is_valid_json,
        unread_reason,
        {%- for name, _ in segment_paths %}
        f[{{ loop.index }}] as raw_{{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from extracted
),

typed as (
    select
        fields.source_file,
        fields.row_hash,
        fields.is_valid_json,
        fields.unread_reason,
        '{{ platform }}' as platform,
        file_days.partition_date,
        {{ normalize_identifier('raw_message_id') }} as message_id,
        lower(raw_event_type) as event_type,
        raw_event_name as event_name,
        raw_screen_name as screen_name,
        {{ is_segment_event('raw_event_name') }} as is_known_event,
        {{ hash_identifier(anonymous_type, normalize_identifier('raw_anonymous_id')) }}
            as anonymous_id_hash,
        {{ hash_identifier('user_id', normalize_identifier('raw_user_id')) }}
            as user_id_hash,
        {{ parse_timestamp('raw_occurred_at') }} as occurred_at,
        {{ parse_timestamp('raw_sent_at') }} as sent_at,
        {{ parse_timestamp('raw_received_at') }} as received_at,
        {{ strip_url_param('raw_page_url', 'eid') }} as page_url,
        raw_page_path as page_path,
        nullif({{ strip_url_param('raw_page_referrer', 'eid') }}, '')
            as page_referrer,
        {{ url_host('raw_page_referrer') }} as referrer_host,
        raw_page_title as page_title,
        coalesce({{ url_param('raw_page_url', 'utm_source') }}, raw_campaign_source)
            as utm_source,
        coalesce({{ url_param('raw_page_url', 'utm_medium') }}, raw_campaign_medium)
            as utm_medium,
        coalesce({{ url_param('raw_page_url', 'utm_campaign') }}, raw_campaign_name)
            as utm_campaign,
        coalesce(
            {{ url_param('raw_page_url', 'utm_content') }}, raw_campaign_content
        ) as utm_content,
        coalesce({{ url_param('raw_page_url', 'utm_term') }}, raw_campaign_term)
            as utm_term,
        {{ url_param('raw_page_url', 'gclid') }} is not null as has_gclid,
        {{ url_param('raw_page_url', 'fbclid') }} is not null as has_fbclid,
        {{ hash_identifier(
            'esp_subscriber_id', url_param('raw_page_url', 'eid')
        ) }} as esp_subscriber_id_hash,
        {{ is_malformed_url('raw_page_url') }} as is_malformed_url,
        raw_user_agent as user_agent,
        {{ hash_identifier(
            'ip', normalize_identifier('coalesce(raw_ip, raw_request_ip)')
        ) }} as ip_hash,
        {{ hash_identifier('device_id', normalize_identifier('raw_device_id')) }}
            as device_id_hash,
        {{ hash_identifier(
            'advertising_id', normalize_identifier('lower(raw_advertising_id)')
        ) }} as advertising_id_hash,
        lower(raw_device_type) as device_type,
        raw_device_model as device_model,
        raw_os_name as os_name,
        raw_app_version as app_version,
        raw_product_id as product_id,
        try_cast(raw_price as decimal(18, 4)) as price,
        try_cast(raw_quantity as integer) as quantity,
        raw_cart_id as cart_id,
        raw_order_id as order_id,
        {{ parse_amount('raw_revenue') }} as revenue,
        upper(raw_currency) as currency,
        raw_coupon as coupon,
        raw_search_query as search_query,
        try_cast(raw_rating as integer) as rating,
        raw_referral_code as referral_code,
        raw_push_campaign as push_campaign,
        {{ parse_products('raw_products') }} as order_products,
        {{ hash_identifier(
            'email',
            normalize_email('coalesce(raw_trait_email, raw_context_trait_email)')
        ) }} as email_hash,
        {{ hash_identifier(
            'phone',
            normalize_phone('coalesce(raw_trait_phone, raw_context_trait_phone)')
        ) }} as phone_hash,
        coalesce(raw_trait_phone, raw_context_trait_phone) is not null
        and {{ normalize_phone(
            'coalesce(raw_trait_phone, raw_context_trait_phone)'
        ) }} is null as is_invalid_phone
    from fields
    left join file_days on fields.source_file = file_days.source_file
),

converted as (
    select
        typed.*,
        {{ eur_per_unit('typed.currency', 'rates.eur_per_unit') }}
            as eur_per_unit,
        {{ to_eur('typed.revenue', 'typed.currency', 'rates.eur_per_unit') }}
            as revenue_eur,
        -- a byte-identical line twice in one file is at-least-once delivery
        -- too, readable or not
        row_number() over (
            partition by typed.source_file, typed.row_hash
            order by typed.received_at nulls last
        ) as copy_number
    from typed
    left join {{ ref('currency_rates') }} as rates
        on
            typed.currency = rates.currency
            and cast(typed.occurred_at as date)
            between rates.valid_from and rates.valid_to
),

checked as (
    select
        *,
        case
            when unread_reason is not null then unread_reason
            when copy_number > 1 then null
            when partition_date is null
                then 'file outside the date=, segment-logs/ or rudder-logs/ layouts'
            when not is_valid_json then 'line is not valid JSON'
            when message_id is null then 'missing messageId'
            when event_type is null
                or event_type not in ('page', 'screen', 'track', 'identify')
                then 'unknown event type'
            when occurred_at is null then 'missing or unparseable timestamp'
            when {{ implausible_time_reason('occurred_at', 'timestamp') }} is not null
                then {{ implausible_time_reason('occurred_at', 'timestamp') }}
            when occurred_at > received_at
                + interval '{{ var("event_clock_skew_minutes") }} minutes'
                then 'timestamp after receivedAt (var event_clock_skew_minutes)'
            when event_type = 'track' and event_name is null
                then 'track call without an event name'
            when {{ is_segment_event('event_name', 'purchase') }} and revenue is null
                then 'missing or unparseable revenue'
            when {{ is_segment_event('event_name', 'purchase') }} and eur_per_unit is null
                then 'no EUR rate for the currency and day'
        end as quarantine_reason
    from converted
),

final as (
    select
        *,
        -- at-least-once delivery: the first receipt of a messageId is kept
        copy_number > 1 or (quarantine_reason is null and row_number() over (
            partition by message_id, quarantine_reason is null
            order by received_at nulls last, source_file, row_hash
        ) > 1) as is_duplicate
    from checked
)

select * from final
{%- endmacro %}

{% macro segment_staged_columns() -%}
    {#- The columns the staging models keep of a parsed Segment event. -#}
    {{ return([
        'source_file',
        'platform',
        'partition_date',
        'message_id',
        'event_type',
        'event_name',
        'screen_name',
        'is_known_event',
        'anonymous_id_hash',
        'user_id_hash',
        'occurred_at',
        'sent_at',
        'received_at',
        'page_url',
        'page_path',
        'page_referrer',
        'referrer_host',
        'page_title',
        'utm_source',
        'utm_medium',
        'utm_campaign',
        'utm_content',
        'utm_term',
        'has_gclid',
        'has_fbclid',
        'esp_subscriber_id_hash',
        'is_malformed_url',
        'user_agent',
        'ip_hash',
        'device_id_hash',
        'advertising_id_hash',
        'device_type',
        'device_model',
        'os_name',
        'app_version',
        'product_id',
        'price',
        'quantity',
        'cart_id',
        'order_id',
        'revenue',
        'currency',
        'revenue_eur',
        'coupon',
        'search_query',
        'rating',
        'referral_code',
        'push_campaign',
        'order_products',
        'email_hash',
        'phone_hash',
        'is_invalid_phone',
    ]) }}
{%- endmacro %}

{% macro staged_segment_events(base_relation) -%}
{#- Usable events of a base model: no quarantine reason, first receipt. -#}
with

events as (
    select * from {{ base_relation }}
),

final as (
    select
        {%- for column in segment_staged_columns() %}
        {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    from events
    where quarantine_reason is null and not is_duplicate
)

select * from final
{%- endmacro %}
