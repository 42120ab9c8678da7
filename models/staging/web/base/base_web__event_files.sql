-- Incremental, delete+insert by file: a file is measured once, with the lines
-- read from it, when base_web__event_lines reads it.
-- depends_on: {{ ref('base_landing__files') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='source_file',
    on_schema_change='fail',
) }}

{{ segment_event_files(
    source('web', 'events'),
    'web',
    ref('base_web__event_lines'),
    files_to_read('web', 'events', this if is_incremental() else none)
) }}
