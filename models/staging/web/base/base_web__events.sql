-- A view: the parsed lines are stored once (base_web__event_lines); the join
-- with the few duplicates is cheap for each of its readers.
{{ config(materialized='view') }}

{{ segment_receipts(
    'web',
    ref('base_web__event_lines'),
    ref('base_web__event_duplicates'),
    ref('base_web__event_files')
) }}
