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
-- Incremental by record (replace_keys on record_type, record_id): a build
-- ties again only the records touched since its latest marker, and reads
-- only their rows of the sources: the sessions sessionized or replaced
-- since (int_sessions__sourced and its `__replaced` companion), the events,
-- email events, till transactions and survey answers whose identifiers were
-- written or replaced since (int_identity__observations_all and its
-- companion, which hold every record of those sources that has an
-- identifier), the records holding a node whose person changed since (given
-- a new person id, int_identity__person_assignments; dropped from the graph
-- or added to it, int_identity__components and its `__replaced` companion,
-- which this model prunes through what every reader has read: macro
-- read_through; or erased), and the records tied as erased (the erasure
-- clears their identifiers in staging once the build is published). A
-- touched record no source holds any more, or that holds no identifier
-- now, loses its row.
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
{%- set sourced_relation = ref('int_sessions__sourced') %}
{%- set observations_relation = ref('int_identity__observations_all') %}
{%- set redo_all = true %}
{%- if is_incremental() %}
    {%- set tied_through = incremental_watermark('tied_at') %}
    {%- set redo_all = rewritten_since(
        components_relation, 'labelled_at', tied_through
    ) or rewritten_since(
        sourced_relation, 'sessionized_at', tied_through
    ) or rewritten_since(
        observations_relation, 'written_at', tied_through
    ) %}
{%- endif %}
{%- set touched = is_incremental() and not redo_all %}
{#- the kinds of record the observations hold, by their record ids'
    prefix -#}
{%- set observed_kinds = [
    ('web_event', 'web'), ('app_event', 'app'), ('pos_transaction', 'pos'),
    ('email_event', 'email'), ('nps_response', 'nps'),
] %}

with

{% if touched -%}
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
        select {{ identifier_node_id('erased_list.identifier_hash') }}
        from {{ ref('int_identity__erased_identifiers') }} as erased_list
    ),

    observed_records as (
        -- the records of the other sources whose identifiers were written
        -- or replaced since
        select record_id
        from {{ observations_relation }}
        where written_at > {{ tied_through }}
        union
        select record_id
        from {{ replaced_rows_relation(observations_relation) }}
        where replaced_at > {{ tied_through }}
    ),

    touched_records as (
        select
            'session' as record_type,
            session_id as record_id
        from {{ sourced_relation }}
        where sessionized_at > {{ tied_through }}
        union
        select
            'session' as record_type,
            session_id as record_id
        from {{ replaced_rows_relation(sourced_relation) }}
        where replaced_at > {{ tied_through }}
        {%- for record_type, prefix in observed_kinds %}
            union
            select
                '{{ record_type }}' as record_type,
                substr(record_id, {{ prefix | length + 2 }}) as record_id
            from observed_records
            where record_id like '{{ prefix }}:%'
        {%- endfor %}
        union
        select
            previous.record_type,
            previous.record_id
        from {{ this }} as previous
        where
            previous.is_erased
            or previous.first_node_id
            in (select changed_nodes.node_id from changed_nodes)
            or previous.second_node_id
            in (select changed_nodes.node_id from changed_nodes)
    ),

{% endif -%}

sessions as (
    select * from {{ sourced_relation }}
    {{- of_touched_records(touched, 'session', 'session_id') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
    {{- of_touched_records(touched, 'web_event', 'message_id') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
    {{- of_touched_records(touched, 'app_event', 'message_id') }}
),

transactions as (
    select * from {{ ref('stg_pos__transactions') }}
    {{- of_touched_records(touched, 'pos_transaction', 'transaction_id') }}
),

email_events as (
    select * from {{ ref('stg_crm__email_events') }}
    {{- of_touched_records(touched, 'email_event', 'email_event_id') }}
),

nps_responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
    {{- of_touched_records(touched, 'nps_response', 'response_id') }}
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
    previous_records as (
        -- the rows the table holds of the records this build ties again{{
            ': every record, the labels, sessions or observations were'
            ~ ' written whole since' if redo_all else '' }}
        select
            previous.record_type,
            previous.record_id
        from {{ this }} as previous
        {% if touched %}
            inner join touched_records
                on
                    previous.record_type = touched_records.record_type
                    and previous.record_id = touched_records.record_id
        {% endif %}
    ),

    gone_records as (
        -- of those, the records no source holds with an identifier now
        select
            previous_records.record_type,
            previous_records.record_id
        from previous_records
        left join record_nodes
            on
                previous_records.record_type = record_nodes.record_type
                and previous_records.record_id = record_nodes.record_id
        where record_nodes.record_id is null
    ),

    batch_nodes as (
        select first_node_id as node_id from record_nodes
        union
        select second_node_id as node_id from record_nodes
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
    from record_nodes as batch
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
                'record_type': 'gone_records.record_type',
                'record_id': 'gone_records.record_id'
            }) }}
        from gone_records
    {%- endif %}
)

select * from final
