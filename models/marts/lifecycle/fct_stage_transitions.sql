-- The stage transitions of int_stages__transitions, as BI tools read them.
--
-- Incremental a person at a time (replace_keys on person_id): a build
-- copies the persons int_stages__transitions computed since the latest
-- marker this table holds (refreshed_at, kept), and deletes the rows of
-- every person changed since (int_journeys__person_changes).
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'stage', 'tests_last_load': 'refreshed_at'},
    on_schema_change='fail',
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}

with

transitions as (
    select * from {{ ref('int_stages__transitions') }}
    {{ where_written_since('refreshed_at') }}
),

final as (
    select
        person_id,
        stage,
        stage_order,
        entered_at,
        reached_at,
        is_skipped,
        previous_stage,
        hours_since_previous,
        refreshed_at
    from transitions
)

select * from final
{{ key_only_rows_of_changed_persons(person_changes) }}
