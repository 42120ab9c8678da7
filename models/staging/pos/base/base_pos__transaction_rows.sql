-- Incremental, replace_keys by file: a till file is read, typed and hashed
-- once, when it first lands (or lands again with other bytes; macro
-- files_to_read), and a file read again replaces all its rows, even when it
-- now holds none (a key-only row per file read). What depends on other
-- files (the store's time zone, the day's rate, the duplicates) is decided
-- in base_pos__transactions.
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
    'pos', 'transactions', this if is_incremental() else none
) %}

with

source as (
    {{ csv_by_header(
        source('pos', 'transactions'),
        [
            'transaction_id',
            'store_id',
            'occurred_at',
            'total_amount',
            'currency',
            'is_return'
        ],
        files
    ) }}
),

inventory as (
    select * from {{ landing_inventory('pos', 'transactions') }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'transaction_id', 'occurred_at',
            'total_amount'
        ]) }} as row_hash,
        nullif(trim(transaction_id), '') as transaction_id,
        nullif(trim(store_id), '') as store_id,
        try_cast(occurred_at as timestamp) as occurred_at_local,
        {{ hash_identifier(
            'loyalty_card', normalize_identifier('loyalty_card_id')
        ) }} as loyalty_card_hash,
        {{ hash_identifier('email', normalize_email('receipt_email')) }}
            as receipt_email_hash,
        {{ parse_amount('total_amount') }} as total_amount,
        upper(nullif(trim(currency), '')) as currency,
        lower(nullif(trim(payment_type), '')) as payment_type,
        coalesce({{ parse_boolean('is_return') }}, false) as is_return
    from source
),

final as (
    select
        typed.*,
        inventory.file_bytes,
        inventory.file_modified_at,
        {{ loaded_at() }} as loaded_at,
        -- set by the erasure of a later build (macro erase_in_staging)
        false as is_erased
    from typed
    left join inventory on typed.source_file = inventory.source_file
)

select * from final
{{ key_only_rows_of_files(files) }}
