-- Incremental, delete+insert by file: parsing gzipped NDJSON is the costliest
-- step of a build, so each file is read and parsed once, when it first lands
-- (or lands again with other bytes; macro files_to_read).
-- depends_on: {{ ref('base_landing__files') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='source_file',
    on_schema_change='fail',
) }}

{{ parse_segment_events(
    source('app', 'events'),
    'app',
    files_to_read('app', 'events', this if is_incremental() else none)
) }}
