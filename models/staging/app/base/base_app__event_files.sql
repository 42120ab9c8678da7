-- A table: one row per file, so the few unread ones are found once.
{{ config(materialized='table') }}

{{ segment_event_files(source('app', 'events'), ref('base_app__event_lines')) }}
