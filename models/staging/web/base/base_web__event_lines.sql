-- A table, not a view: parsing gzipped NDJSON is the costliest step of the
-- build, so the lines are read and parsed once here.
{{ config(materialized='table') }}

{{ parse_segment_events(source('web', 'events'), 'web') }}
