-- One row per record that can be tied to a person: a web or app session, a
-- web or app conversion event (seed segment_events), a store transaction,
-- an email event and an NPS answer. The only place a record meets its
-- person. A record holding several identifiers is tied by the one of the
-- highest priority (seed identifier_types) that the identity graph resolves:
-- an order's account before its cookie, a sale's e-receipt email before its
-- loyalty card, a session's logged-in account before its device. A record
-- holding an identifier of an erased person is tied to nobody and flagged,
-- whatever else it holds. Records holding no identifier have no row.
with

-- read twice: only the columns used, as DuckDB materialises a CTE read
-- twice whole
sessions as (
    select
        session_id,
        device_key_type,
        device_key,
        user_id_hash
    from {{ ref('int_sessions__sourced') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

transactions as (
    select * from {{ ref('stg_pos__transactions') }}
),

email_events as (
    select * from {{ ref('stg_crm__email_events') }}
),

nps_responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

segment_events as (
    select * from {{ ref('segment_events') }}
),

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

components as (
    select * from {{ ref('int_identity__components') }}
),

persons as (
    select * from {{ ref('int_identity__persons') }}
),

erased as (
    select * from {{ ref('int_identity__erased_identifiers') }}
),

conversion_events as (
    {% for platform, cookie_type in [
        ('web', 'anonymous_id'), ('app', 'install_id')
    ] %}
        select
            '{{ platform }}_event' as record_type,
            {{ platform }}_events.message_id as record_id,
            {{ platform }}_events.user_id_hash,
            '{{ cookie_type }}' as cookie_type,
            {{ platform }}_events.anonymous_id_hash
        from {{ platform }}_events
        inner join segment_events
            on {{ platform }}_events.event_name = segment_events.event_name
        where segment_events.conversion_type is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

record_identifiers as (
    select
        'session' as record_type,
        session_id as record_id,
        device_key_type as identifier_type,
        device_key as identifier_hash
    from sessions
    union all
    select
        'session' as record_type,
        session_id as record_id,
        'user_id' as identifier_type,
        user_id_hash as identifier_hash
    from sessions
    where user_id_hash is not null
    union all
    select
        record_type,
        record_id,
        'user_id' as identifier_type,
        user_id_hash as identifier_hash
    from conversion_events
    where user_id_hash is not null
    union all
    select
        record_type,
        record_id,
        cookie_type as identifier_type,
        anonymous_id_hash as identifier_hash
    from conversion_events
    where anonymous_id_hash is not null
    {% for column, identifier_type in [
        ('loyalty_card_hash', 'loyalty_card'),
        ('receipt_email_hash', 'email'),
    ] %}
        union all
        select
            'pos_transaction' as record_type,
            transaction_id as record_id,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_hash
        from transactions
        where {{ column }} is not null
    {% endfor %}
    {% for column, identifier_type in [
        ('contact_id_hash', 'contact_id'),
        ('esp_subscriber_id_hash', 'esp_subscriber_id'),
    ] %}
        union all
        select
            'email_event' as record_type,
            email_event_id as record_id,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_hash
        from email_events
        where {{ column }} is not null
    {% endfor %}
    union all
    select
        'nps_response' as record_type,
        response_id as record_id,
        'contact_id' as identifier_type,
        contact_id_hash as identifier_hash
    from nps_responses
    where contact_id_hash is not null
),

resolved as (
    select
        record_identifiers.record_type,
        record_identifiers.record_id,
        record_identifiers.identifier_type,
        identifier_types.priority,
        persons.person_id,
        erased.identifier_hash is not null as is_erased_identifier
    from record_identifiers
    inner join identifier_types
        on record_identifiers.identifier_type = identifier_types.identifier_type
    left join components
        on
            record_identifiers.identifier_type = components.identifier_type
            and record_identifiers.identifier_hash = components.identifier_hash
    left join persons on components.component_id = persons.component_id
    left join erased
        on
            record_identifiers.identifier_type = erased.identifier_type
            and record_identifiers.identifier_hash = erased.identifier_hash
),

-- one aggregate per record: erased when any of its identifiers is, tied by
-- the identifier of the highest priority that resolves to a person
-- (priorities are unique per type)
final as (
    select
        record_type,
        record_id,
        case
            when not {{ dbt.bool_or('is_erased_identifier') }}
                then {{ first_by(
                    'person_id', ['person_id is null', 'priority']
                ) }}
        end as person_id,
        case
            when not {{ dbt.bool_or('is_erased_identifier') }}
                then {{ first_by(
                    'case when person_id is not null then identifier_type end',
                    ['person_id is null', 'priority']
                ) }}
        end as linked_by,
        {{ dbt.bool_or('is_erased_identifier') }} as is_erased
    from resolved
    group by record_type, record_id
)

select * from final
