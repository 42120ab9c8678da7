-- Every (record, identifier) pair the staged sources show: the raw material of
-- the identity graph, read by the erasure list and int_identity__observations.
-- A table, read where each step needs it (an ephemeral model read in several
-- places is computed again, or materialised whole, each time). It holds the
-- records of people who asked for erasure until the build is published: the
-- publishing step deletes them, as it does in staging (macro erase_in_staging).
--
-- Incremental, replace_keys by record: an event's pairs depend on its own
-- line alone, so a build adds the pairs of the events it loaded and takes
-- again those of the events it held from a file read again; an email
-- record's pairs likewise, from the email exports' rows loaded or changed;
-- of the other sources (rebuilt whole in staging by every build), the
-- records whose pairs differ from those the table holds. Each row carries
-- the marker of the build that wrote it (written_at), and replace_keys keeps
-- the rows it replaces (keeps_replaced_rows): int_identity__identifiers
-- judges again only the identifiers of the records a build changed.
-- depends_on: {{ ref('stg_web__event_files') }}
-- depends_on: {{ ref('stg_app__event_files') }}
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (written_at); a key's rows are written together (macro get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='record_id',
    meta={
        'key_only_column': 'source_name',
        'keeps_replaced_rows': true,
        'tests_last_load': 'written_at',
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook="{{ create_replaced_rows() }}",
) }}

{%- if is_incremental() %}
    {%- set watermark = incremental_watermark('loaded_at') %}
    {%- set any_reloaded = holds_rows_of_event_files_read_since(watermark) %}
{%- endif %}

with

{% if is_incremental() -%}
    reloaded_files as (
        -- the event files read since this table's latest marker
        {{ reloaded_event_files(watermark) }}
    ),

    reloaded_records as (
        -- the event records this table holds from a file read again since:
        -- its new version may hold them no more, or another receipt comes
        -- first
        select distinct
            previous.source_name,
            previous.record_id
        from {{ this }} as previous
        inner join reloaded_files
            on
                previous.source_name = reloaded_files.platform || '_events'
                and previous.source_file = reloaded_files.source_file
    ),

{% endif -%}

{% for platform in ['web', 'app'] -%}
    {{ platform }}_events as (
        {%- if is_incremental() %}
            {{ staged_events_since(
                platform,
                watermark,
                "select substr(reloaded_records.record_id, "
                ~ ((platform ~ ':') | length + 1) ~ ") from reloaded_records"
                ~ " where reloaded_records.source_name = '"
                ~ platform ~ "_events'",
                any_reloaded
            ) }}
        {%- else %}
            select * from {{ ref('stg_' ~ platform ~ '__events') }}
        {%- endif %}
    ),

{% endfor -%}

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

{% if is_incremental() -%}
    staged_email_records as (
        select
            'email:' || email_event_id as record_id,
            loaded_at
        from {{ ref('stg_crm__email_events') }}
    ),

    changed_emails as (
        -- the email records this table holds that the staged email events
        -- no longer hold as they were loaded: an export read again, an
        -- earlier copy of the event id, an erasure (an anti-join written as
        -- a left join: DuckDB runs a correlated not exists on two columns
        -- as a slower delimiter join)
        select distinct previous.record_id
        from {{ this }} as previous
        left join staged_email_records as kept
            on
                previous.record_id = kept.record_id
                and previous.loaded_at = kept.loaded_at
        where
            previous.source_name = 'email_events'
            and kept.record_id is null
    ),

{% endif -%}

email_events as (
    select staged.*
    from {{ ref('stg_crm__email_events') }} as staged
    {%- if is_incremental() %}
        where
            staged.loaded_at > {{ watermark }}
            or 'email:' || staged.email_event_id in (
                select changed_emails.record_id from changed_emails
            )
    {%- endif %}
),

transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

nps_responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

-- each event read once: one row per identifier type, then the types the event
-- does not carry dropped (one scan per type would read the events seven times)
event_identifiers as (
    {% for platform, cookie_type in [
        ('web', 'anonymous_id'), ('app', 'install_id')
    ] %}
        {%- set columns = [
            ('anonymous_id_hash', cookie_type),
            ('user_id_hash', 'user_id'),
            ('email_hash', 'email'),
            ('phone_hash', 'phone'),
            ('esp_subscriber_id_hash', 'esp_subscriber_id'),
            ('device_id_hash', 'device_id'),
            ('advertising_id_hash', 'advertising_id'),
        ] %}
        select * from (
            select
                '{{ platform }}_events' as source_name,
                '{{ platform }}:' || events.message_id as record_id,
                kinds.identifier_type,
                case kinds.identifier_type
                    {%- for column, identifier_type in columns %}
                        when '{{ identifier_type }}' then events.{{ column }}
                    {%- endfor %}
                end as identifier_hash,
                events.occurred_at as observed_at,
                events.source_file,
                events.loaded_at
            from {{ platform }}_events as events
            cross join (
                {%- for _, identifier_type in columns %}
                    select '{{ identifier_type }}' as identifier_type
                    {% if not loop.last %}union all{% endif %}
                {%- endfor %}
            ) as kinds
        ) as {{ platform }}_pairs
        where identifier_hash is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

contact_identifiers as (
    {% for column, identifier_type in contact_identifier_columns() %}
        select
            'crm_contacts' as source_name,
            'contact:' || contact_id_hash as record_id,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_hash,
            created_at as observed_at,
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as {{ dbt.type_timestamp() }}) as loaded_at
        from contacts
        where {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

email_identifiers as (
    {% for column, identifier_type in [
        ('contact_id_hash', 'contact_id'),
        ('esp_subscriber_id_hash', 'esp_subscriber_id'),
    ] %}
        select
            'email_events' as source_name,
            'email:' || email_event_id as record_id,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_hash,
            occurred_at as observed_at,
            source_file,
            loaded_at
        from email_events
        where {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

store_identifiers as (
    {% for column, identifier_type in [
        ('loyalty_card_hash', 'loyalty_card'),
        ('receipt_email_hash', 'email'),
    ] %}
        select
            'pos_transactions' as source_name,
            'pos:' || transaction_id as record_id,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_hash,
            occurred_at as observed_at,
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as {{ dbt.type_timestamp() }}) as loaded_at
        from transactions
        where {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

survey_identifiers as (
    select
        'nps_responses' as source_name,
        'nps:' || response_id as record_id,
        'contact_id' as identifier_type,
        contact_id_hash as identifier_hash,
        submitted_at as observed_at,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_timestamp() }}) as loaded_at
    from nps_responses
),

whole_identifiers as (
    -- the sources staging rebuilds whole: the CRM snapshot, the store's and
    -- the survey's files
    select * from contact_identifiers
    union all
    select * from store_identifiers
    union all
    select * from survey_identifiers
),

{% if is_incremental() -%}
    previous_whole as (
        select
            record_id,
            identifier_type,
            identifier_hash,
            observed_at
        from {{ this }}
        where source_name not in ('web_events', 'app_events', 'email_events')
    ),

    changed_whole_records as (
        -- the records of those sources whose pairs differ from the pairs the
        -- table holds: new, changed or gone (a record without observed_at
        -- counts as changed: written again by each build)
        select distinct coalesce(staged.record_id, held.record_id) as record_id
        from whole_identifiers as staged
        full outer join previous_whole as held
            on
                staged.record_id = held.record_id
                and staged.identifier_type = held.identifier_type
                and staged.identifier_hash = held.identifier_hash
                and staged.observed_at = held.observed_at
        where staged.record_id is null or held.record_id is null
    ),

{% endif -%}

{% if is_incremental() -%}
    gone_records as (
        -- the records of a file read again, the email records changed, and
        -- the records of the sources staged whole that changed (a contact
        -- the latest CRM snapshot dropped has no pair left)
        select reloaded_records.record_id from reloaded_records
        union all
        select changed_emails.record_id from changed_emails
        union all
        select changed_whole_records.record_id from changed_whole_records
    ),

{% endif -%}

pairs as (
    select * from event_identifiers
    union all
    select * from email_identifiers
    union all
    {%- if is_incremental() %}
        select whole_identifiers.*
        from whole_identifiers
        inner join changed_whole_records
            on whole_identifiers.record_id = changed_whole_records.record_id
    {%- else %}
        select * from whole_identifiers
    {%- endif %}
),

observed as (
    select
        source_name,
        record_id,
        identifier_type,
        identifier_hash,
        {{ identifier_node_id('identifier_hash') }} as node_id,
        observed_at,
        source_file,
        loaded_at,
        {{ loaded_at() }} as written_at
    from pairs
),

final as (
    select * from observed
    {%- if is_incremental() %}
        union all
        -- a record the batch holds no pair of: a row of its key alone, for
        -- replace_keys to delete its pairs
        select
            {{- key_only_rows({'record_id': 'gone_records.record_id'}, [
                'source_name', 'record_id', 'identifier_type',
                'identifier_hash', 'node_id', 'observed_at', 'source_file',
                'loaded_at', 'written_at'
            ]) }}
        from gone_records
    {%- endif %}
)

select * from final
