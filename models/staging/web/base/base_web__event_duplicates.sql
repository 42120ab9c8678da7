-- Incremental, replace_keys by messageId: whether a line is a later receipt
-- depends only on the other lines of its messageId, so a build judges again
-- the messageIds of the files it read (before and after) and keeps the rest.
-- Narrow columns, so that the delivery windows never sort the wide rows.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='replace_key',
    meta={'key_only_column': 'source_file'},
    on_schema_change='fail',
) }}

{{ segment_duplicates(
    ref('base_web__event_lines'), ref('base_web__event_files')
) }}
