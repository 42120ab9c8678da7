-- Incremental, replace_keys by file: a till lines file is read and typed
-- once, when it first lands (or lands again with other bytes; macro
-- files_to_read), and a file read again replaces all its rows, even when it
-- now holds none (a key-only row per file read). Whether a line's
-- transaction has arrived, and the duplicates, are decided in
-- base_pos__transaction_lines.
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
    'pos', 'transaction_lines', this if is_incremental() else none
) %}

with

source as (
    {{ csv_by_header(
        source('pos', 'transaction_lines'),
        ['transaction_id', 'line_no', 'product_id', 'quantity', 'unit_price'],
        files
    ) }}
),

inventory as (
    select * from {{ landing_inventory('pos', 'transaction_lines') }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'transaction_id', 'line_no', 'product_id',
            'quantity', 'unit_price'
        ]) }} as row_hash,
        nullif(trim(transaction_id), '') as transaction_id,
        try_cast(line_no as integer) as line_no,
        nullif(trim(product_id), '') as product_id,
        try_cast(quantity as integer) as quantity,
        {{ parse_amount('unit_price') }} as unit_price
    from source
),

final as (
    select
        typed.*,
        inventory.file_bytes,
        inventory.file_modified_at,
        {{ loaded_at() }} as loaded_at
    from typed
    left join inventory on typed.source_file = inventory.source_file
)

select * from final
{{ key_only_rows_of_files(files) }}
