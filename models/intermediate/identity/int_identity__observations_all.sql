-- Every (record, identifier) pair the staged sources show: the raw material of
-- the identity graph, read by the erasure list and int_identity__observations.
-- A table, read where each step needs it (an ephemeral model read in several
-- places is computed again, or materialised whole, each time). It holds the
-- records of people who asked for erasure until the build is published: the
-- publishing step deletes them, as it does in staging (macro erase_in_staging).
{{ config(materialized='table') }}

with

web_events as (
    select * from {{ ref('stg_web__events') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

email_events as (
    select * from {{ ref('stg_crm__email_events') }}
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
                events.occurred_at as observed_at
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
    {% for column, identifier_type in [
        ('contact_id_hash', 'contact_id'),
        ('user_id_hash', 'user_id'),
        ('email_hash', 'email'),
        ('phone_hash', 'phone'),
        ('loyalty_card_hash', 'loyalty_card'),
    ] %}
        select
            'crm_contacts' as source_name,
            'contact:' || contact_id_hash as record_id,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_hash,
            created_at as observed_at
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
            occurred_at as observed_at
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
            occurred_at as observed_at
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
        submitted_at as observed_at
    from nps_responses
),

final as (
    select * from event_identifiers
    union all
    select * from contact_identifiers
    union all
    select * from email_identifiers
    union all
    select * from store_identifiers
    union all
    select * from survey_identifiers
)

select * from final
