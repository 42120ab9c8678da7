-- A view: the parsed lines are stored once (base_web__event_lines); the join
-- with the few duplicates is cheap for each of its readers.
-- tests_last_load: a daily build's data tests check the rows it loaded and
-- every row of the keys they hold (macro get_where_subquery).
{{ config(materialized='view', meta={'tests_last_load': true}) }}

{{ segment_receipts(
    'web',
    ref('base_web__event_lines'),
    ref('base_web__event_duplicates'),
    ref('base_web__event_files')
) }}
