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
-- row with both, each looked up once by its node id, and the pick is made on
-- that row: no aggregate over one row per record and identifier.
--
-- Incremental by record (replace_keys on record_type, record_id): the
-- records' identifiers are read from every source (a narrow scan) and
-- compared with the node ids the table holds; a build ties again the new
-- records, those whose identifiers changed (a session a late event logged
-- in), and those holding a node whose person changed since: given a new
-- person id (int_identity__person_assignments), dropped from the graph or
-- added to it (int_identity__components and its `__replaced` companion,
-- which this model prunes through what every reader has read: macro
-- read_through), or erased; a record no
-- source holds any more loses its row. The person lookup, the costly part,
-- runs for those records only.
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (tied_at); a record's row is written whole (macro get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['record_type', 'record_id'],
    meta={'key_only_column': 'is_erased', 'tests_last_load': 'tied_at'},
    on_schema_change='fail',
    post_hook="{{ prune_replaced_rows(
        ref('int_identity__components'),
        read_through([
            [ref('int_identity__persons'), 'summarized_at'],
            [this, 'tied_at'],
            [later_reader('bridge_person_identifiers'), 'changed_at'],
            [later_reader('rpt_person_identity_evidence'), 'changed_at'],
        ])
    ) }}",
) }}

{%- set components_relation = ref('int_identity__components') %}
{%- set assignments_relation = ref('int_identity__person_assignments') %}
{%- set redo_all = true %}
{%- if is_incremental() %}
    {%- set tied_through = incremental_watermark('tied_at') %}
    {%- set redo_all = rewritten_since(
        components_relation, 'labelled_at', tied_through
    ) %}
{%- endif %}

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
        -- a session's device key is its cookie or install id, or a stand-in
        -- that is no identifier
        case
            when not {{ is_stand_in_device_key('device_key') }}
                then device_key
        end as first_hash,
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

-- each record with the node ids of its identifiers of a known type
record_nodes as (
    select
        record_identifiers.record_type,
        record_identifiers.record_id,
        record_identifiers.first_type,
        record_identifiers.second_type,
        first_types.priority as first_priority,
        second_types.priority as second_priority,
        case
            when first_types.identifier_type is not null
                then {{ identifier_node_id('record_identifiers.first_hash') }}
        end as first_node_id,
        case
            when second_types.identifier_type is not null
                then {{ identifier_node_id('record_identifiers.second_hash') }}
        end as second_node_id
    from record_identifiers
    left join identifier_types as first_types
        on record_identifiers.first_type = first_types.identifier_type
    left join identifier_types as second_types
        on record_identifiers.second_type = second_types.identifier_type
    where
        -- a record with no identifier of a known type has no row
        (
            record_identifiers.first_hash is not null
            and first_types.identifier_type is not null
        )
        or (
            record_identifiers.second_hash is not null
            and second_types.identifier_type is not null
        )
),

erased_nodes as (
    select distinct {{ identifier_node_id('identifier_hash') }} as node_id
    from erased
),

{% if is_incremental() -%}
    relabelled_nodes as (
        select node_id
        from {{ components_relation }}
        where labelled_at > {{ tied_through }}
    ),

    unlabelled_nodes as (
        -- the labels the builds since replaced
        select node_id
        from {{ replaced_rows_relation(components_relation) }}
        where replaced_at > {{ tied_through }}
    ),

    changed_nodes as (
        -- the nodes whose person changed since this table's latest marker:
        -- those given a new person id (int_identity__person_assignments),
        -- those the graph dropped or added (a rejection, or its end), and
        -- the erased identifiers. A component labelled again whose nodes
        -- keep their person id (someone active today) changes nothing.
        select
            {{ identifier_node_id('assignments.identifier_hash') }} as node_id
        from {{ assignments_relation }} as assignments
        where assignments.assigned_at > {{ tied_through }}
        union
        select unlabelled_nodes.node_id
        from unlabelled_nodes
        left join relabelled_nodes
            on unlabelled_nodes.node_id = relabelled_nodes.node_id
        where relabelled_nodes.node_id is null
        union
        select relabelled_nodes.node_id
        from relabelled_nodes
        left join unlabelled_nodes
            on relabelled_nodes.node_id = unlabelled_nodes.node_id
        where unlabelled_nodes.node_id is null
        union
        select erased_nodes.node_id from erased_nodes
    ),

    compared as (
        -- every record now and every record the table holds, side by side
        select
            record_nodes.*,
            previous.record_type as previous_record_type,
            previous.record_id as previous_record_id,
            previous.first_node_id as previous_first_node_id,
            previous.second_node_id as previous_second_node_id
        from record_nodes
        full outer join {{ this }} as previous
            on
                record_nodes.record_type = previous.record_type
                and record_nodes.record_id = previous.record_id
    ),

    batch_records as (
        -- the records tied again: new, holding other identifiers than the
        -- table says, or holding a changed node{{
            '; every record: the labels were written whole since'
            if redo_all else '' }}
        select
            record_type,
            record_id,
            first_type,
            second_type,
            first_priority,
            second_priority,
            first_node_id,
            second_node_id
        from compared
        where
            record_id is not null
            and (
                previous_record_id is null
                or first_node_id is distinct from previous_first_node_id
                or second_node_id is distinct from previous_second_node_id
                or first_node_id
                in (select changed_nodes.node_id from changed_nodes)
                or second_node_id
                in (select changed_nodes.node_id from changed_nodes)
                {%- if redo_all %}
                    or true
                {%- endif %}
            )
    ),

    batch_nodes as (
        select first_node_id as node_id from batch_records
        union
        select second_node_id as node_id from batch_records
    ),

{% endif -%}

-- the person of every node the records tied in this build hold
node_persons as (
    select
        components.node_id,
        persons.person_id
    from components
    inner join persons on components.component_id = persons.component_id
    {%- if is_incremental() %}
        where
            components.node_id
            in (select batch_nodes.node_id from batch_nodes)
    {%- endif %}
),

resolved as (
    select
        batch.record_type,
        batch.record_id,
        batch.first_type,
        batch.second_type,
        batch.first_node_id,
        batch.second_node_id,
        first_persons.person_id as first_person_id,
        second_persons.person_id as second_person_id,
        first_erased.node_id is not null
        or second_erased.node_id is not null as is_erased,
        -- the first identifier ties the record when it resolves and the
        -- second does not resolve or has a lower priority (a higher number)
        first_persons.person_id is not null
        and (
            second_persons.person_id is null
            or batch.first_priority < batch.second_priority
        ) as is_tied_by_first
    from {{ 'batch_records' if is_incremental() else 'record_nodes' }} as batch
    left join node_persons as first_persons
        on batch.first_node_id = first_persons.node_id
    left join node_persons as second_persons
        on batch.second_node_id = second_persons.node_id
    left join erased_nodes as first_erased
        on batch.first_node_id = first_erased.node_id
    left join erased_nodes as second_erased
        on batch.second_node_id = second_erased.node_id
),

tied as (
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
        is_erased,
        -- an erased record keeps no trace of its identifiers
        case when not is_erased then first_node_id end as first_node_id,
        case when not is_erased then second_node_id end as second_node_id,
        {{ loaded_at() }} as tied_at
    from resolved
),

final as (
    select * from tied
    {%- if is_incremental() %}
        union all
        -- a record no source holds any more: a row of its key alone, for
        -- replace_keys to delete it
        select
            {{- key_only_rows({
                'record_type': 'compared.previous_record_type',
                'record_id': 'compared.previous_record_id'
            }) }}
        from compared
        where compared.record_id is null
    {%- endif %}
)

select * from final
