-- One row per record that can be tied to a person: a web or app session, a
-- web or app conversion event (seed segment_events), a store transaction,
-- an email event and an NPS answer. The only place a record meets its
-- person. A record holding several identifiers is tied by the one of the
-- highest priority (seed identifier_types) that the identity graph resolves:
-- an order's account before its cookie, a sale's e-receipt email before its
-- loyalty card, a session's logged-in account before its device. A record
-- holding an identifier of an erased person is tied to nobody and flagged,
-- whatever else it holds. Records holding no identifier have no row.
--
-- Every kind of record holds two identifiers at most, so each record is one
-- row with both, each looked up once in the identifier map, and the pick is
-- made on that row: no aggregate over one row per record and identifier
-- (11.6M groups at 1M persons).
with

sessions as (
    select * from {{ ref('int_sessions__sourced') }}
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

-- every identifier of a known type that resolves to a person or belongs to
-- an erased person, with its priority: read once per identifier of a record
identifier_map as (
    select
        identifier_types.identifier_type,
        coalesce(resolved.identifier_hash, erased.identifier_hash)
            as identifier_hash,
        identifier_types.priority,
        resolved.person_id,
        erased.identifier_hash is not null as is_erased_identifier
    from (
        select
            components.identifier_type,
            components.identifier_hash,
            persons.person_id
        from components
        inner join persons on components.component_id = persons.component_id
    ) as resolved
    full outer join erased
        on
            resolved.identifier_type = erased.identifier_type
            and resolved.identifier_hash = erased.identifier_hash
    inner join identifier_types
        on
            coalesce(resolved.identifier_type, erased.identifier_type)
            = identifier_types.identifier_type
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

-- each record with its (at most) two identifiers
record_identifiers as (
    select
        'session' as record_type,
        session_id as record_id,
        device_key_type as first_type,
        device_key as first_hash,
        'user_id' as second_type,
        user_id_hash as second_hash
    from sessions
    union all
    select
        record_type,
        record_id,
        'user_id' as first_type,
        user_id_hash as first_hash,
        cookie_type as second_type,
        anonymous_id_hash as second_hash
    from conversion_events
    union all
    select
        'pos_transaction' as record_type,
        transaction_id as record_id,
        'loyalty_card' as first_type,
        loyalty_card_hash as first_hash,
        'email' as second_type,
        receipt_email_hash as second_hash
    from transactions
    union all
    select
        'email_event' as record_type,
        email_event_id as record_id,
        'contact_id' as first_type,
        contact_id_hash as first_hash,
        'esp_subscriber_id' as second_type,
        esp_subscriber_id_hash as second_hash
    from email_events
    union all
    select
        'nps_response' as record_type,
        response_id as record_id,
        'contact_id' as first_type,
        contact_id_hash as first_hash,
        'contact_id' as second_type,
        cast(null as {{ dbt.type_string() }}) as second_hash
    from nps_responses
),

resolved as (
    select
        record_identifiers.record_type,
        record_identifiers.record_id,
        record_identifiers.first_type,
        record_identifiers.second_type,
        first_map.person_id as first_person_id,
        second_map.person_id as second_person_id,
        coalesce(first_map.is_erased_identifier, false)
        or coalesce(second_map.is_erased_identifier, false) as is_erased,
        -- the first identifier ties the record when it resolves and the
        -- second does not resolve or has a lower priority (a higher number)
        first_map.person_id is not null
        and (
            second_map.person_id is null
            or first_map.priority < second_map.priority
        ) as is_tied_by_first
    from record_identifiers
    left join identifier_map as first_map
        on
            record_identifiers.first_type = first_map.identifier_type
            and record_identifiers.first_hash = first_map.identifier_hash
    left join identifier_map as second_map
        on
            record_identifiers.second_type = second_map.identifier_type
            and record_identifiers.second_hash = second_map.identifier_hash
    where
        -- a record with no identifier of a known type has no row
        (
            record_identifiers.first_hash is not null
            and record_identifiers.first_type
            in (select identifier_types.identifier_type from identifier_types)
        )
        or (
            record_identifiers.second_hash is not null
            and record_identifiers.second_type
            in (select identifier_types.identifier_type from identifier_types)
        )
),

final as (
    select
        record_type,
        record_id,
        case
            when is_erased then null
            when is_tied_by_first then first_person_id
            else second_person_id
        end as person_id,
        case
            when is_erased then null
            when is_tied_by_first then first_type
            when second_person_id is not null then second_type
        end as linked_by,
        is_erased
    from resolved
)

select * from final
