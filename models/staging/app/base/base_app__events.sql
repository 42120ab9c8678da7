-- A view: the parsed lines are stored once (base_app__event_lines); the join
-- with the few duplicates is cheap for each of its readers.
{{ config(materialized='view') }}

{{ segment_receipts(
    'app',
    ref('base_app__event_lines'),
    ref('base_app__event_duplicates'),
    ref('base_app__event_files')
) }}
