-- One row per CRM contact: its row in the latest snapshot that lists it
-- (then the latest updated_at), which stg_crm__contacts stages. An erased
-- contact's row stays while the build runs, flagged, so that the identity
-- graph finds what it ties together; the build deletes it before it is
-- published (macro erase_in_staging).
--
-- Incremental, replace_keys by contact: a contact's current row changes
-- only when a snapshot read since lists it, so a build compares the rows
-- loaded since it last wrote (base_crm__contact_rows, loaded_at after this
-- table's latest written_at) with the current rows of the same contacts. A
-- contact whose current row came from a file read again since (its row is
-- no longer in the snapshots) is judged again on every row it has; one left
-- with none loses its row (a key-only row). Deleting a snapshot file needs
-- a full refresh.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='contact_id_hash',
    meta={'key_only_column': 'source_file'},
    on_schema_change='fail',
) }}

{%- set columns = [
    'contact_id_hash', 'user_id_hash', 'email_hash', 'phone_hash',
    'is_invalid_phone', 'loyalty_card_hash', 'postal_code',
    'has_marketing_consent', 'created_at', 'updated_at', 'erased_at',
    'is_erased', 'snapshot_date', 'source_file', 'row_hash', 'loaded_at',
] %}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark('written_at') %}
    {#- the snapshots the current rows come from, as constants: a filter on
        them skips the row groups of every other snapshot -#}
    {%- set current_files = run_query(
        'select distinct source_file from ' ~ this ~ ' order by 1'
    ).columns[0].values() | list if execute else [] %}
{%- endif %}

with

contact_rows as (
    -- the rows that can be a contact's current one
    select
        {{ star_except(
            ref('base_crm__contact_rows'), ['has_erasure_request', 'is_erased']
        ) }},
        has_erasure_request as is_erased
    from {{ ref('base_crm__contact_rows') }}
    where
        quarantine_reason is null
        and not is_repeated_in_file
        and not is_erased
),

{% if is_incremental() -%}
    loaded as (
        select * from contact_rows
        where loaded_at > {{ watermark }}
    ),

    previous as (
        select {{ columns | join(', ') }} from {{ this }}
    ),

    snapshot_rows as (
        select
            source_file,
            row_hash,
            loaded_at
        from {{ ref('base_crm__contact_rows') }}
        {%- if current_files %}
            where source_file in (
                '{{ current_files | map("replace", "'", "''") | join("', '") }}'
            )
        {%- else %}
            where false
        {%- endif %}
    ),

    stale as (
        -- the contacts whose current row is no longer in its snapshot: the
        -- file was read again since
        select previous.contact_id_hash
        from previous
        left join snapshot_rows
            on
                previous.source_file = snapshot_rows.source_file
                and previous.row_hash = snapshot_rows.row_hash
                and previous.loaded_at = snapshot_rows.loaded_at
        where snapshot_rows.row_hash is null
    ),

    candidates as (
        select {{ columns | join(', ') }} from loaded
        union all
        -- the current row of each contact a loaded row lists
        select previous.*
        from previous
        where
            previous.contact_id_hash in (
                select loaded.contact_id_hash from loaded
            )
            and previous.contact_id_hash not in (
                select stale.contact_id_hash from stale
            )
        union all
        -- every earlier row of the stale contacts
        select {{ columns | join(', ') }}
        from contact_rows
        where
            loaded_at <= {{ watermark }}
            and contact_id_hash in (select stale.contact_id_hash from stale)
    ),

{% else -%}
    candidates as (
        select {{ columns | join(', ') }} from contact_rows
    ),

{% endif -%}

ranked as (
    select
        *,
        row_number() over (
            partition by contact_id_hash
            order by
                snapshot_date desc, updated_at desc nulls last, row_hash asc
        ) as snapshot_rank
    from candidates
),

final as (
    select
        {{ columns | join(', ') }},
        {{ loaded_at() }} as written_at
    from ranked
    where snapshot_rank = 1
)

select * from final
{%- if is_incremental() %}
    union all
    -- a stale contact left with no row: replace_keys deletes its row
    select {{ key_only_rows({'contact_id_hash': 'stale.contact_id_hash'}) }}
    from stale
    where stale.contact_id_hash not in (
        select candidates.contact_id_hash from candidates
    )
{%- endif %}
