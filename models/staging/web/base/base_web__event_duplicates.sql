-- A table: the delivery windows sort every line once, on narrow columns.
{{ config(materialized='table') }}

{{ segment_duplicates(ref('base_web__event_lines')) }}
