-- A table: one row per file, so the few unread ones are found once.
{{ config(materialized='table') }}

{{ segment_event_files(source('web', 'events'), ref('base_web__event_lines')) }}
