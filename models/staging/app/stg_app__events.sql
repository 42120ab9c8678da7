-- A view: the base table already holds each event parsed once with its
-- quarantine reason and duplicate flag, so readers scan only the columns
-- they need of its usable rows instead of a second copy of them.
{{ config(materialized='view') }}

{{ staged_segment_events(ref('base_app__events')) }}
