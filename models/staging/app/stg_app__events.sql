-- A view: the base table already holds each event parsed once with its
-- quarantine reason and duplicate flag, so readers scan only the columns
-- they need of its usable rows instead of a second copy of them.
-- tests_last_load: a daily build's data tests check the rows it loaded and
-- every row of the keys they hold (macro get_where_subquery).
{{ config(materialized='view', meta={'tests_last_load': true}) }}

{{ staged_segment_events(ref('base_app__events')) }}
