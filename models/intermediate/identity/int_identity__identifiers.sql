-- One row per identifier with its guardrail verdict. An identifier is
-- rejected (never becomes a node of the graph) when it is
--   1. a junk value of the junk_identifiers seed (placeholders, zeroed ids,
--      test accounts), compared hash to hash;
--   2. shared: seen in records with more than identity_max_account_ids
--      distinct account ids (a family tablet, a shared mailbox);
--   3. of a type with degree_guard (loyalty cards), used like a till's card
--      rather than a customer's: in more than identity_max_records_per_day
--      records on one day (a cashier scanning their own card for
--      strangers), or in records with more than
--      identity_max_linked_identifiers distinct other identifiers (the
--      strangers' receipt emails). A loyal customer buys once or twice a day
--      at most, however often over the years, with the same few
--      identifiers, so the guard never counts records over the whole
--      history. The reason names every piece of evidence that tripped.
-- The first reason that applies is kept.
-- A verdict depends on the records that hold the identifier alone, so the
-- table is incremental by identifier: a build judges again the identifiers
-- of the observations written, replaced or erased since its last run, from
-- every record that holds them, and removes those no record holds any more.
-- On a full build int_identity__observations is read where each step needs
-- it, not through an import CTE: DuckDB materialises a CTE read five times
-- whole (45M rows at 1M persons), where a direct read scans only the columns
-- and rows a step uses.
-- depends_on: {{ ref('int_identity__observations_all') }}
-- depends_on: {{ ref('int_identity__erased_records') }}
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (judged_at); a key's rows are written together (macro get_where_subquery).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='node_id',
    meta={
        'key_only_column': 'identifier_type',
        'keeps_replaced_rows': true,
        'tests_last_load': 'judged_at',
    },
    on_schema_change='fail',
    pre_hook=["{{ drop_replaced_rows() }}", "{{ common_subplans(false) }}"],
    post_hook=["{{ create_replaced_rows() }}", "{{ common_subplans(true) }}"],
) }}

{%- set text = dbt.type_string() %}
{%- set observations_all = ref('int_identity__observations_all') %}
{%- if is_incremental() %}
    {%- set judged_through = incremental_watermark('judged_at') %}
    {%- set rewritten = rewritten_since(
        observations_all, 'written_at', judged_through
    ) %}
    {%- set observations = 'touched_observations' %}
    {%- set record_observations = 'touched_record_observations' %}
{%- else %}
    {%- set observations = ref('int_identity__observations') %}
    {%- set record_observations = ref('int_identity__observations') %}
{%- endif %}

with

{% if is_incremental() -%}
    touched_nodes as (
        -- the identifiers of the rows written since this table was judged,
        -- of the rows replaced since (kept by the replace_keys strategy), and
        -- of the records of people erased in this build{{
            ', and every identifier the table holds: the observations were'
            ~ ' written whole since' if rewritten else '' }}
        select node_id
        from {{ observations_all }}
        where written_at > {{ judged_through }}
        union
        select node_id
        from {{ replaced_rows_relation(observations_all) }}
        where replaced_at > {{ judged_through }}
        union
        select observations.node_id
        from {{ observations_all }} as observations
        inner join {{ ref('int_identity__erased_records') }} as erased
            on observations.record_id = erased.record_id
        {%- if rewritten %}
            union
            select node_id from {{ this }}
        {%- endif %}
    ),

    touched_observations as (
        -- every usable observation of those identifiers
        select observations.*
        from {{ ref('int_identity__observations') }} as observations
        where
            observations.node_id in (
                select touched_nodes.node_id from touched_nodes
            )
    ),

    touched_record_observations as (
        -- every usable observation of a record that holds one of them: the
        -- account ids and other identifiers seen with them
        select observations.*
        from {{ ref('int_identity__observations') }} as observations
        where
            observations.record_id in (
                select touched_observations.record_id
                from touched_observations
            )
    ),

{% endif -%}

identifier_types as (
    select * from {{ ref('identifier_types') }}
),

junk_hashes as (
    select * from {{ ref('int_identity__junk_hashes') }}
),

-- per identifier and source first: counting the sources of each identifier
-- is then a count of rows, not a distinct count over every observation
identifier_sources as (
    select
        identifier_type,
        identifier_hash,
        source_name,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at,
        -- a record holds an identifier once (observations are unique on
        -- record, type and hash): its rows are its records
        count(*) as records
    from {{ observations }}
    group by identifier_type, identifier_hash, source_name
),

identifiers as (
    select
        identifier_type,
        identifier_hash,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        cast(sum(records) as {{ dbt.type_bigint() }}) as records,
        count(*) as sources
    from identifier_sources
    group by identifier_type, identifier_hash
),

accounts_per_record as (
    select
        observations.record_id,
        observations.identifier_hash as account_hash
    from {{ record_observations }} as observations
    left join junk_hashes
        on
            observations.identifier_type = junk_hashes.identifier_type
            and observations.identifier_hash = junk_hashes.identifier_hash
    where
        observations.identifier_type = 'user_id'
        and junk_hashes.identifier_hash is null
),

account_counts as (
    select
        observations.identifier_type,
        observations.identifier_hash,
        count(distinct accounts_per_record.account_hash) as account_ids
    from {{ observations }} as observations
    inner join accounts_per_record
        on observations.record_id = accounts_per_record.record_id
    where observations.identifier_type <> 'user_id'
    group by observations.identifier_type, observations.identifier_hash
),

guarded_observations as (
    select observations.*
    from {{ observations }} as observations
    inner join identifier_types
        on observations.identifier_type = identifier_types.identifier_type
    where identifier_types.degree_guard
),

records_per_day as (
    select
        identifier_type,
        identifier_hash,
        cast(observed_at as date) as observed_on,
        -- one row per record (see identifier_sources)
        count(*) as day_records
    from guarded_observations
    group by identifier_type, identifier_hash, cast(observed_at as date)
),

ranked_days as (
    select
        records_per_day.identifier_type,
        records_per_day.identifier_hash,
        records_per_day.observed_on,
        records_per_day.day_records,
        row_number() over (
            partition by
                records_per_day.identifier_type,
                records_per_day.identifier_hash
            order by
                records_per_day.day_records desc,
                records_per_day.observed_on asc
        ) as day_rank
    from records_per_day
),

busiest_days as (
    select
        identifier_type,
        identifier_hash,
        observed_on as busiest_day,
        day_records as busiest_day_records
    from ranked_days
    where day_rank = 1
),

-- every other usable identifier that shares a record with a guarded one
linked_pairs as (
    select distinct
        guarded.identifier_type,
        guarded.identifier_hash,
        cooccurring.identifier_type as other_type,
        cooccurring.identifier_hash as other_hash
    from guarded_observations as guarded
    inner join {{ record_observations }} as cooccurring
        on guarded.record_id = cooccurring.record_id
    left join junk_hashes
        on
            cooccurring.identifier_type = junk_hashes.identifier_type
            and cooccurring.identifier_hash = junk_hashes.identifier_hash
    where
        junk_hashes.identifier_hash is null
        and not (
            cooccurring.identifier_type = guarded.identifier_type
            and cooccurring.identifier_hash = guarded.identifier_hash
        )
),

linked_counts as (
    select
        identifier_type,
        identifier_hash,
        count(*) as linked_identifiers
    from linked_pairs
    group by identifier_type, identifier_hash
),

identifier_usage as (
    select
        busiest_days.identifier_type,
        busiest_days.identifier_hash,
        busiest_days.busiest_day,
        busiest_days.busiest_day_records,
        coalesce(linked_counts.linked_identifiers, 0) as linked_identifiers,
        busiest_days.busiest_day_records
        > {{ var('identity_max_records_per_day') }} as is_busy,
        coalesce(linked_counts.linked_identifiers, 0)
        > {{ var('identity_max_linked_identifiers') }} as is_promiscuous
    from busiest_days
    left join linked_counts
        on
            busiest_days.identifier_type = linked_counts.identifier_type
            and busiest_days.identifier_hash = linked_counts.identifier_hash
),

usage_verdicts as (
    select
        *,
        cast(busiest_day_records as {{ text }}) || ' records on '
        || cast(busiest_day as {{ text }}) || ' (limit '
        || cast({{ var('identity_max_records_per_day') }} as {{ text }})
        || ' a day)' as busy_evidence,
        'seen with ' || cast(linked_identifiers as {{ text }})
        || ' other identifiers (limit '
        || cast({{ var('identity_max_linked_identifiers') }} as {{ text }})
        || ')' as linked_evidence
    from identifier_usage
),

judged as (
    select
        identifiers.*,
        identifier_types.priority,
        identifier_types.is_account,
        identifier_types.is_known,
        identifier_types.is_cookie_or_install,
        coalesce(account_counts.account_ids, 0) as account_ids,
        usage_verdicts.busiest_day_records,
        usage_verdicts.linked_identifiers,
        case
            when junk_hashes.identifier_hash is not null
                then 'junk value: ' || junk_hashes.reason
            when
                coalesce(account_counts.account_ids, 0)
                > {{ var('identity_max_account_ids') }}
                then
                    'shared: seen with '
                    || cast(account_counts.account_ids as {{ text }})
                    || ' account ids'
            when usage_verdicts.is_busy and usage_verdicts.is_promiscuous
                then
                    'used by many people: ' || usage_verdicts.busy_evidence
                    || '; ' || usage_verdicts.linked_evidence
            when usage_verdicts.is_busy
                then 'used by many people: ' || usage_verdicts.busy_evidence
            when usage_verdicts.is_promiscuous
                then 'used by many people: ' || usage_verdicts.linked_evidence
        end as rejected_reason
    from identifiers
    inner join identifier_types
        on identifiers.identifier_type = identifier_types.identifier_type
    left join junk_hashes
        on
            identifiers.identifier_type = junk_hashes.identifier_type
            and identifiers.identifier_hash = junk_hashes.identifier_hash
    left join account_counts
        on
            identifiers.identifier_type = account_counts.identifier_type
            and identifiers.identifier_hash = account_counts.identifier_hash
    left join usage_verdicts
        on
            identifiers.identifier_type = usage_verdicts.identifier_type
            and identifiers.identifier_hash = usage_verdicts.identifier_hash
),

judged_identifiers as (
    select
        {{ identifier_node_id('identifier_hash') }} as node_id,
        identifier_type,
        identifier_hash,
        priority,
        is_account,
        is_known,
        is_cookie_or_install,
        first_seen_at,
        last_seen_at,
        records,
        sources,
        account_ids,
        busiest_day_records,
        linked_identifiers,
        rejected_reason is not null as is_rejected,
        rejected_reason,
        {{ loaded_at() }} as judged_at
    from judged
),

final as (
    select * from judged_identifiers
    {%- if is_incremental() %}
        union all
        -- an identifier no usable record holds any more: a row of its key
        -- alone, for replace_keys to delete it
        select {{ key_only_rows({'node_id': 'touched_nodes.node_id'}) }}
        from touched_nodes
        where
            touched_nodes.node_id not in (
                select judged_identifiers.node_id from judged_identifiers
            )
    {%- endif %}
)

select * from final
