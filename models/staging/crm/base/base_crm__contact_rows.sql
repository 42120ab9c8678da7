-- Every contact row of every CRM snapshot, typed and hashed (names dropped),
-- with the checks a row can be judged on alone: its quarantine reason, and
-- whether it repeats its contact within its own file (is_repeated_in_file:
-- not the contact's latest row in that snapshot). Which snapshot's row is a
-- contact's current one is decided in stg_crm__contacts.
--
-- Incremental, replace_keys by file: a snapshot is read, typed and hashed
-- once, when it first lands (or lands again with other bytes; macro
-- files_to_read), and a file read again replaces all its rows, even when it
-- now holds none (a key-only row per file read). A daily snapshot of every
-- contact costs one read of that file, not of every snapshot kept. An erased
-- person's rows lose their hashes and postal code and are flagged (macro
-- erase_in_staging).
-- depends_on: {{ ref('base_landing__files') }}
-- tests_last_load: a daily build's data tests check the rows it loaded
-- (macro get_where_subquery); each row was checked by the build that wrote it.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='source_file',
    meta={'key_only_column': 'row_hash', 'tests_last_load': true},
    on_schema_change='fail',
) }}

{%- set files = files_to_read(
    'crm', 'contacts', this if is_incremental() else none
) %}

with

source as (
    {{ csv_by_header(source('crm', 'contacts'), ['contact_id'], files) }}
),

inventory as (
    select * from {{ landing_inventory('crm', 'contacts') }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'contact_id', 'customer_id', 'email', 'updated_at'
        ]) }} as row_hash,
        try_cast(
            regexp_extract(filename, '(\d{4}-\d{2}-\d{2})\.csv$', 1) as date
        ) as snapshot_date,
        {{ hash_identifier('contact_id', normalize_identifier('contact_id')) }}
            as contact_id_hash,
        {{ hash_identifier('user_id', normalize_identifier('customer_id')) }}
            as user_id_hash,
        {{ hash_identifier('email', normalize_email('email')) }} as email_hash,
        {{ hash_identifier('phone', normalize_phone('phone')) }} as phone_hash,
        phone is not null and {{ normalize_phone('phone') }} is null
            as is_invalid_phone,
        {{ hash_identifier(
            'loyalty_card', normalize_identifier('loyalty_card_id')
        ) }}
            as loyalty_card_hash,
        nullif(trim(postal_code), '') as postal_code,
        {{ parse_boolean('marketing_consent') }} as has_marketing_consent,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('updated_at') }} as updated_at,
        {{ parse_timestamp('erased_at') }} as erased_at,
        nullif(trim(erased_at), '') is not null as has_erasure_request
    from source
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when contact_id_hash is null then 'missing contact_id'
            when snapshot_date is null
                then 'file name has no snapshot date (contacts_YYYY-MM-DD.csv)'
            when created_at is null then 'missing or unparseable created_at'
            when has_erasure_request and erased_at is null
                then 'unparseable erased_at'
        end as quarantine_reason
    from typed
),

final as (
    select
        checked.*,
        -- a contact listed twice in one snapshot: its latest row counts
        checked.quarantine_reason is null and row_number() over (
            partition by
                checked.source_file,
                checked.contact_id_hash,
                checked.quarantine_reason is null
            order by checked.updated_at desc nulls last, checked.row_hash asc
        ) > 1 as is_repeated_in_file,
        inventory.file_bytes,
        inventory.file_modified_at,
        {{ loaded_at() }} as loaded_at,
        -- set by the erasure of a later build (macro erase_in_staging)
        false as is_erased
    from checked
    left join inventory on checked.source_file = inventory.source_file
)

select * from final
{{ key_only_rows_of_files(files) }}
