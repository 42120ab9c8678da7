-- One row per journey with its channel path: the channel groups of its
-- runs (consecutive touches through one channel count once), joined by
-- ' > ', and whether it converted. int_attribution__paths counts the
-- journeys per path and int_attribution__data_driven_credits reads each
-- converting journey's path from here, so that neither builds the paths
-- again from every touch.
--
-- Incremental a person at a time (replace_keys on person_id), like
-- int_journeys__touches which it reads: a build computes again the paths of
-- the persons changed since its latest marker (int_journeys__person_changes,
-- macro of_changed_persons). tests_last_load: a daily build's data tests
-- check the persons it wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'journey_id', 'tests_last_load': 'refreshed_at'},
    on_schema_change='fail',
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}

with

journey_touches as (
    select * from {{ ref('int_journeys__touches') }}
    {{ of_changed_persons(person_changes) }}
),

runs as (
    select distinct
        journey_id,
        person_id,
        conversion_id,
        is_converting,
        run_number,
        channel_group
    from journey_touches
),

final as (
    select
        journey_id,
        person_id,
        conversion_id,
        is_converting,
        {{ ordered_string_agg(
            'channel_group', 'run_number', ' > '
        ) }} as channel_path,
        {{ loaded_at() }} as refreshed_at
    from runs
    group by journey_id, person_id, conversion_id, is_converting
)

select * from final
{{ key_only_rows_of_changed_persons(person_changes) }}
