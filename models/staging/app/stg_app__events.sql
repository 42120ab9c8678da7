-- A table: every downstream model reads these events, and the window that
-- found the duplicates in the base model should not run again.
{{ config(materialized='table') }}

{{ staged_segment_events(ref('base_app__events')) }}
