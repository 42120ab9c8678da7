-- One row per NPS answer of 9 or 10 with the person of its CRM contact
-- (int_identity__record_persons): the advocacy signal of
-- int_stages__signals. Answers nobody can be tied to are left out.
--
-- Computed whole, written by what changed (macro rows_that_changed), like
-- int_journeys__touchpoints: the answers re-tied to another person reach
-- int_journeys__person_changes through the rows this table replaces.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='response_id',
    meta={
        'key_only_column': 'submitted_at',
        'keeps_replaced_rows': true,
        'tests_last_load': 'changed_at'
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook="{{ create_replaced_rows() }}",
) }}

with

responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

record_persons as (
    select * from {{ ref('int_identity__record_persons') }}
),

final as (
    select
        responses.response_id,
        record_persons.person_id,
        responses.submitted_at
    from responses
    inner join record_persons
        on
            record_persons.record_type = 'nps_response'
            and responses.response_id = record_persons.record_id
    where responses.nps_score >= 9 and record_persons.person_id is not null
)

{{ rows_that_changed('final', 'response_id', 'changed_at') }}
