-- Incremental, replace_keys by file: parsing gzipped NDJSON is the costliest
-- step of a build, so each file is read and parsed once, when it first lands
-- (or lands again with other bytes; macro files_to_read). A file read again
-- replaces its rows, all of them, even when it now yields none (replace_keys,
-- a key-only row per file read).
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

{{ parse_segment_events(
    source('web', 'events'),
    'web',
    files_to_read('web', 'events', this if is_incremental() else none)
) }}
