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
        {{ date_of_epoch_ms("try_cast(nullif(regexp_extract(" ~ path
            ~ ", 'segment-logs/[^/]+/([0-9]{13})/', 1), '') as bigint)") }},
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

{% macro date_of_epoch_ms(expr) -%}
    {#- The UTC day of a time in milliseconds since 1970; dispatched. -#}
    {{ return(adapter.dispatch('date_of_epoch_ms', 'customer_journey')(expr)) }}
{%- endmacro %}

{% macro default__date_of_epoch_ms(expr) -%}
    cast(epoch_ms({{ expr }}) as date)
{%- endmacro %}

{% macro spark__date_of_epoch_ms(expr) -%}
    cast(timestamp_millis({{ expr }}) as date)
{%- endmacro %}

{% macro parse_products(json_text) -%}
    {#- Segment's e-commerce products[] (Order Completed) as a list of
        structs; null when absent or not such a list; dispatched. -#}
    {{ return(adapter.dispatch('parse_products', 'customer_journey')(json_text)) }}
{%- endmacro %}

{% macro default__parse_products(json_text) -%}
    try(from_json(
        {{ json_text }},
        '[{"product_id": "VARCHAR", "sku": "VARCHAR", "price": "DECIMAL(18, 4)", "quantity": "INTEGER"}]'
    ))
{%- endmacro %}

{% macro spark__parse_products(json_text) -%}
    from_json(
        {{ json_text }},
        'array<struct<product_id: string, sku: string, price: decimal(18, 4), quantity: int>>'
    )
{%- endmacro %}

{% macro segment_json_fields(lines, paths) -%}
    {#- The lines of `lines` (source_file, line) with row_hash (MD5 of the
        line), line_bytes, is_valid_json (null for a null line) and one text
        column raw_<name> for each (name, JSON path) of `paths`: the value
        there, a nested value as JSON text; null when the line is not valid
        JSON. Each line is parsed once; dispatched. -#}
    {{ return(adapter.dispatch('segment_json_fields', 'customer_journey')(lines, paths)) }}
{%- endmacro %}

{% macro default__segment_json_fields(lines, paths) -%}
    select
        source_file,
        row_hash,
        line_bytes,
        is_valid_json,
        {%- for name, _ in paths %}
        f[{{ loop.index }}] as raw_{{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            source_file,
            md5(line) as row_hash,
            strlen(line) as line_bytes,
            is_valid_json,
            case when is_valid_json then
                json_extract_string(line, [
                {%- for _, path in paths %}
                    '{{ path }}'{{ "," if not loop.last }}
                {%- endfor %}
                ])
            end as f
        from (
            select
                source_file,
                line,
                json_valid(line) as is_valid_json
            from {{ lines }}
        ) as validated
    ) as extracted
{%- endmacro %}

{% macro spark__segment_json_fields(lines, paths) -%}
    {#- Parsed once into a VARIANT. A JSON object with a repeated key is not
        valid JSON to Spark's parser (DuckDB reads the key's first value). -#}
    select
        source_file,
        md5(line) as row_hash,
        cast(octet_length(line) as bigint) as line_bytes,
        case when line is not null then document is not null end as is_valid_json,
        {%- for name, path in paths %}
        try_variant_get(document, '{{ path }}', 'string') as raw_{{ name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from (
        select
            source_file,
            line,
            try_parse_json(line) as document
        from {{ lines }}
    ) as parsed
{%- endmacro %}

{% macro parse_segment_events(source_relation, platform, files=none) -%}
{#- `files`: the files to read (macro files_to_read); none reads them all. -#}
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

file_days as (
    -- the received day, read from each file's folder once per file
    select
        source_file,
        file_bytes,
        file_modified_at,
        {{ received_day('source_file') }} as partition_date
    from {{ landing_inventory(platform, 'events') }}
),

read_lines as (
    -- read once, in one pass: what a file held beyond the lines read is
    -- accounted for per file (macro segment_event_files)
    select
        filename as source_file,
        line
    from {{ landing_relation(
        source_relation, readable_gzip_files(source_relation, files)
    ) }}
),

fields as (
    {{ segment_json_fields('read_lines', segment_paths) }}
),

typed as (
    select
        fields.source_file,
        file_days.file_bytes,
        file_days.file_modified_at,
        {{ loaded_at() }} as loaded_at,
        fields.row_hash,
        fields.line_bytes,
        fields.is_valid_json,
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
            as revenue_eur
    from typed
    left join {{ ref('currency_rates') }} as rates
        on {{ rate_on_day('rates', 'typed.currency', 'typed.occurred_at') }}
),

final as (
    select
        *,
        -- what is wrong with the line itself; a later copy of a line in its
        -- file is a duplicate instead (macro segment_receipts)
        case
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
            when {{ arrived_too_late('occurred_at', 'received_at', 'partition_date') }}
                then 'received more than event_max_delay_days after its timestamp'
                || ' (var event_max_delay_days)'
            when event_type = 'track' and event_name is null
                then 'track call without an event name'
            when {{ is_segment_event('event_name', 'purchase') }} and revenue is null
                then 'missing or unparseable revenue'
            when {{ is_segment_event('event_name', 'purchase') }} and eur_per_unit is null
                then 'no EUR rate for the currency and day'
        end as line_quarantine_reason,
        -- set by the erasure of a later build (macro erase_in_staging)
        false as is_erased
    from converted
)

select * from final
{{ key_only_rows_of_files(files) }}
{%- endmacro %}

{% macro segment_event_files(source_relation, platform, lines_relation, files=none) -%}
{#- One row per file of a gzipped Segment source: its size, what its gzip
    trailer states, what was read of it (base lines) and, for a file not read
    whole, why. -#}
with

files as (
    {{ gzip_files(source_relation, files) }}
),

read_files as (
    select
        source_file,
        count(*) as lines_read,
        cast(sum(line_bytes) as bigint) as bytes_read
    from {{ lines_relation }}
    where source_file in (select source_file from files)
    group by source_file
),

measured_files as (
    select
        files.*,
        inventory.file_modified_at,
        coalesce(read_files.lines_read, 0) as lines_read,
        coalesce(read_files.bytes_read, 0) as bytes_read
    from files
    left join read_files on files.source_file = read_files.source_file
    left join {{ landing_inventory(platform, 'events') }} as inventory
        on files.source_file = inventory.source_file
),

-- A file read whole holds what its gzip trailer states: the bytes read plus
-- one or two line-end bytes per line (the last line may lack one), modulo
-- 2^32; line_end_bytes is what is left for them.
checked_files as (
    select
        *,
        (
            (stated_bytes - bytes_read - lines_read) % 4294967296 + 4294967296
        ) % 4294967296 as line_end_bytes
    from measured_files
),

final as (
    select
        source_file,
        file_bytes,
        file_modified_at,
        {{ loaded_at() }} as loaded_at,
        is_gzip,
        stated_bytes,
        lines_read,
        bytes_read,
        {{ received_day('source_file') }} as partition_date,
        -- a file that is not gzip, or that holds more than was read (a gzip
        -- cut short, a line over the reader's 2 MB limit)
        case
            when file_bytes = 0 then null
            when not is_gzip
                then 'file is not gzip-compressed (named .gz)'
            when stated_bytes is null
                or not (
                    line_end_bytes <= lines_read
                    or line_end_bytes = 4294967295
                )
                then 'gzip file only partly readable (cut short, or a line'
                || ' over 2 MB): the rest of it is lost'
        end as unread_reason
    from checked_files
)

select * from final
{%- endmacro %}

{% macro segment_duplicates(lines_relation, files_relation) -%}
{#- The distinct lines (file, line hash) of a parsed Segment source (macro
    parse_segment_events) whose messageId occurs more than once, or that have
    none: each with its copies in its file and whether it is a later receipt
    of its messageId. Only these lines are grouped and sorted, on a few
    narrow columns, never the wide parsed rows. The first receipts are kept
    too, so that a file read again shows which messageIds it held.

    On an incremental run, the messageIds the files read since the table's
    marker hold, now or in the version read before, are judged again over
    every line that holds them, and the lines without one of those files:
    `replace_key` (the messageId's hash, or the file for a line without
    one) is what replace_keys deletes and inserts again. -#}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark('loaded_at') %}
{%- endif %}
with

lines as (
    select
        source_file,
        row_hash,
        received_at,
        message_id,
        -- the messageId by its hash (64 bits on DuckDB, 32 on Spark; narrower
        -- than the text): a collision only adds lines to the candidates,
        -- which are then compared exactly
        case when message_id is not null then hash(message_id) end
            as message_key,
        line_quarantine_reason is null as is_clean,
        loaded_at
    from {{ lines_relation }}
),

{% if is_incremental() -%}
    read_files as (
        -- the files read since this table's marker (those that now yield
        -- no line too)
        select files.source_file
        from {{ files_relation }} as files
        where files.loaded_at > {{ watermark }}
    ),

    new_lines as (
        select *
        from lines
        where loaded_at > {{ watermark }}
    ),

    judged_keys as (
        -- the messageIds to judge again: those of the lines read, and those
        -- the files read held in their earlier version
        select new_lines.message_key
        from new_lines
        where new_lines.message_id is not null
        union
        select previous.message_key
        from {{ this }} as previous
        inner join read_files
            on previous.source_file = read_files.source_file
        where previous.message_key is not null
    ),

    repeated_ids as (
        select lines.message_key
        from lines
        inner join judged_keys
            on lines.message_key = judged_keys.message_key
        group by lines.message_key
        having count(*) > 1
    ),

    candidates as (
        select lines.*
        from lines
        inner join repeated_ids
            on lines.message_key = repeated_ids.message_key
        union all
        select *
        from new_lines
        where message_id is null
    ),

    replaced_keys as (
        -- every key the batch replaces: the messageIds judged, the files read
        select
            'message:'
            || cast(judged_keys.message_key as {{ dbt.type_string() }})
                as replace_key
        from judged_keys
        union all
        select 'file:' || read_files.source_file as replace_key
        from read_files
    ),

{% else -%}
    repeated_ids as (
        select message_key
        from lines
        where message_id is not null
        group by message_key
        having count(*) > 1
    ),

    candidates as (
        -- a line whose messageId occurs once is neither copied in its file
        -- (a copy has the same messageId) nor a later receipt; a line
        -- without a messageId may still be copied
        select *
        from lines
        where
            message_id is null
            or message_key in (select message_key from repeated_ids)
    ),

{% endif -%}

distinct_lines as (
    -- byte-identical lines of a file parse alike: one row for them all
    select
        source_file,
        row_hash,
        count(*) as copies,
        min(received_at) as received_at,
        min(message_id) as message_id,
        min(message_key) as message_key,
        {{ dbt.bool_or('is_clean') }} as is_clean,
        max(loaded_at) as loaded_at
    from candidates
    group by source_file, row_hash
),

receipts as (
    -- at-least-once delivery: the first receipt of a messageId is kept
    select
        source_file,
        row_hash,
        row_number() over (
            partition by message_id
            order by received_at nulls last, source_file, row_hash
        ) > 1 as is_later_receipt
    from distinct_lines
    where is_clean
),

final as (
    select
        case
            when distinct_lines.message_id is null
                then 'file:' || distinct_lines.source_file
            else 'message:' || cast(distinct_lines.message_key as {{ dbt.type_string() }})
        end as replace_key,
        distinct_lines.source_file,
        distinct_lines.row_hash,
        distinct_lines.message_key,
        distinct_lines.copies,
        coalesce(receipts.is_later_receipt, false) as is_later_receipt,
        distinct_lines.loaded_at
    from distinct_lines
    left join receipts
        on
            distinct_lines.source_file = receipts.source_file
            and distinct_lines.row_hash = receipts.row_hash
    {%- if is_incremental() %}
        union all
        -- a row of a key alone, for replace_keys to delete what a key held
        -- that it no longer does (a messageId now seen once, a file that
        -- no longer yields a line without one)
        select
            replaced_keys.replace_key,
            null as source_file,
            null as row_hash,
            null as message_key,
            null as copies,
            null as is_later_receipt,
            null as loaded_at
        from replaced_keys
    {%- endif %}
)

select * from final
{%- endmacro %}

{% macro segment_receipts(platform, lines_relation, duplicates_relation, files_relation) -%}
{#- Every parsed line with its delivery verdict (the copy number, the
    quarantine reason, none for a later copy, and the duplicate flag), and
    one row for each file, or rest of a file, that could not be read. -#}
{%- set columns = adapter.get_columns_in_relation(lines_relation) if execute else [] -%}
{%- set unread_values = {
    'source_file': 'source_file',
    'file_bytes': 'file_bytes',
    'file_modified_at': 'file_modified_at',
    'loaded_at': 'loaded_at',
    'row_hash': 'md5(unread_reason)',
    'is_valid_json': 'false',
    'platform': "'" ~ platform ~ "'",
    'partition_date': 'partition_date',
    'line_quarantine_reason': 'unread_reason',
    'is_erased': 'false',
} -%}
with

single_lines as (
    -- most lines: delivered once in their file
    select
        lines.*,
        cast(1 as bigint) as copy_number,
        coalesce(duplicates.is_later_receipt, false) as is_later_receipt
    from {{ lines_relation }} as lines
    left join {{ duplicates_relation }} as duplicates
        on
            lines.source_file = duplicates.source_file
            and lines.row_hash = duplicates.row_hash
    where coalesce(duplicates.copies, 1) = 1
),

copied_lines as (
    -- the copies of a line delivered more than once in its file are alike,
    -- so which one is numbered first does not matter
    select
        lines.*,
        cast(row_number() over (
            partition by lines.source_file, lines.row_hash
            order by lines.row_hash
        ) as bigint) as copy_number,
        duplicates.is_later_receipt
    from {{ lines_relation }} as lines
    inner join {{ duplicates_relation }} as duplicates
        on
            lines.source_file = duplicates.source_file
            and lines.row_hash = duplicates.row_hash
    where duplicates.copies > 1
),

numbered as (
    select * from single_lines
    union all
    select * from copied_lines
),

read_lines as (
    select
        {%- for column in columns %}
        {{ column.name }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as unread_reason,
        copy_number,
        -- a later copy carries no reason of its own: it is a duplicate
        case
            when copy_number = 1 then line_quarantine_reason
        end as quarantine_reason,
        copy_number > 1 or is_later_receipt as is_duplicate
    from numbered
),

unread_files as (
    -- what could not be read of a file, as one row
    select
        {%- for column in columns %}
        {{ unread_values.get(column.name, 'cast(null as ' ~ column.data_type ~ ')') }}
            as {{ column.name }},
        {%- endfor %}
        unread_reason,
        cast(1 as bigint) as copy_number,
        unread_reason as quarantine_reason,
        false as is_duplicate
    from {{ files_relation }}
    where unread_reason is not null
),

final as (
    select * from read_lines
    union all
    select * from unread_files
)

select * from final
{%- endmacro %}

{% macro segment_staged_columns() -%}
    {#- The columns the staging models keep of a parsed Segment event. -#}
    {{ return([
        'source_file',
        'loaded_at',
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
        'is_erased',
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

{% macro reloaded_event_files(watermark) -%}
    {#- The web and app event files (platform, source_file) read after
        `watermark`, an incremental model's latest load marker: a file read
        again may no longer hold the events the model took from it. -#}
    {%- for platform in ['web', 'app'] %}
        select
            '{{ platform }}' as platform,
            {{ platform }}_files.source_file
        from {{ ref('stg_' ~ platform ~ '__event_files') }}
            as {{ platform }}_files
        where {{ platform }}_files.loaded_at > {{ watermark }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{% macro staged_events_since(platform, watermark, reloaded_message_ids, any_reloaded=true) -%}
    {#- The staged events of a platform an incremental model takes again: those
        loaded after `watermark`, and the earlier receipts of the messageIds
        (`reloaded_message_ids`, a query) it held from a file read again;
        not looked for when `any_reloaded` is false (macro
        holds_rows_of_event_files_read_since: a day's new files). -#}
    select staged.*
    from {{ ref('stg_' ~ platform ~ '__events') }} as staged
    where staged.loaded_at > {{ watermark }}
    {%- if any_reloaded %}
        union all
        select staged.*
        from {{ ref('stg_' ~ platform ~ '__events') }} as staged
        where
            staged.loaded_at <= {{ watermark }}
            and staged.message_id in ({{ reloaded_message_ids }})
    {%- endif %}
{%- endmacro %}

{% macro staged_events_by_platform(watermark, any_reloaded) -%}
    {#- The CTEs of a model replaced by event (platform, message_id) that
        reads the staged events: on an incremental run, reloaded_files (the
        event files read after `watermark`), reloaded_events (the events its
        table holds from those files: a new version may hold them no more,
        or another receipt comes first), and web_events and app_events, the
        staged events loaded after `watermark` and the receipts the staged
        events now hold of the reloaded ones (macro staged_events_since); on
        a full build, web_events and app_events, every staged event. Each
        CTE ends with a comma. -#}
{% if is_incremental() -%}
    reloaded_files as (
        -- the event files read since this table's latest load marker
        {{ reloaded_event_files(watermark) }}
    ),

    reloaded_events as (
        -- the events this table holds from a file read again since
        select
            previous.platform,
            previous.message_id
        from {{ this }} as previous
        inner join reloaded_files
            on
                previous.platform = reloaded_files.platform
                and previous.source_file = reloaded_files.source_file
    ),

{% endif -%}
{% for platform in ['web', 'app'] -%}
    {{ platform }}_events as (
        {%- if is_incremental() %}
            {{ staged_events_since(
                platform,
                watermark,
                "select reloaded_events.message_id from reloaded_events"
                ~ " where reloaded_events.platform = '" ~ platform ~ "'",
                any_reloaded
            ) }}
        {%- else %}
            select * from {{ ref('stg_' ~ platform ~ '__events') }}
        {%- endif %}
    ),

{% endfor -%}
{%- endmacro %}

{% macro stand_in_device_key(platform, message_id) -%}
    {#- The device key of an event whose cookie or install id is missing or
        junk: one of its own, made of the event's id, so that it forms a
        session of its own. It is no identifier (is_stand_in_device_key). -#}
    'event:' || {{ platform }} || ':' || {{ message_id }}
{%- endmacro %}

{% macro is_stand_in_device_key(device_key) -%}
    {#- Whether a device key is a stand-in (stand_in_device_key), not the
        hash of a cookie or install id. -#}
    {{ device_key }} like 'event:%'
{%- endmacro %}

{% macro holds_rows_of_event_files_read_since(watermark) -%}
    {#- Whether the incremental model's own table holds a row from an event
        file read after `watermark` (macro reloaded_event_files): a file
        delivered again. A day's new files are not: the model then need not
        look for the earlier receipts of what it held from them, a semi-join
        over every staged event (18M at 1M persons) that the optimiser
        cannot size. Always true in a unit test, whose `this` is a
        fixture. -#}
    {%- if execute and model.resource_type == 'model' -%}
        {{ return(run_query(
            "select count(*) from " ~ this ~ " as previous"
            ~ " where previous.source_file in (select read.source_file from ("
            ~ reloaded_event_files(watermark) ~ ") as read)"
        ).columns[0].values()[0] > 0) }}
    {%- endif -%}
    {{ return(true) }}
{%- endmacro %}

{% macro events_reached_by_erasure(events, device_hash_column, erased) -%}
{#- The (platform, message_id) of the events in `events` that an erasure
    reaches: their device (cookie or install id, `device_hash_column`) or the
    account logged in on them is in `erased` (identifier_type,
    identifier_hash). One rule for the events a build stages and for those
    it already holds. -#}
    select
        events.platform,
        events.message_id
    from {{ events }} as events
    inner join {{ erased }} as erased
        on
            events.device_key_type = erased.identifier_type
            and events.{{ device_hash_column }} = erased.identifier_hash
    union
    select
        events.platform,
        events.message_id
    from {{ events }} as events
    inner join {{ erased }} as erased
        on
            erased.identifier_type = 'user_id'
            and events.user_id_hash = erased.identifier_hash
{%- endmacro %}
