-- The person id every identifier had at the last build, kept across builds
-- (incremental), so that a change of person id is recorded: when two people
-- merge, the identifiers of the retired id now point at the surviving one.
-- Erased people are deleted from it by the post-hook.
-- keeps_history: served too, so that a build whose working file was lost
-- carries the person ids on (macro is_served).
{{ config(
    materialized='incremental',
    unique_key=['identifier_type', 'identifier_hash'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    meta={'keeps_history': true},
    post_hook=[
        "delete from {{ this }} where exists (
            select 1 from {{ ref('int_identity__erased_identifiers') }} as e
            where e.identifier_type = {{ this }}.identifier_type
                and e.identifier_hash = {{ this }}.identifier_hash
        )"
    ],
) }}

with

components as (
    select * from {{ ref('int_identity__components') }}
),

persons as (
    select * from {{ ref('int_identity__persons') }}
),

current_assignments as (
    select
        components.identifier_type,
        components.identifier_hash,
        persons.person_id
    from components
    inner join persons on components.component_id = persons.component_id
),

{% if is_incremental() -%}
    previous as (
        select * from {{ this }}
    ),

{% endif -%}

final as (
    select
        current_assignments.identifier_type,
        current_assignments.identifier_hash,
        current_assignments.person_id,
        {% if is_incremental() %}
            case
                when previous.person_id <> current_assignments.person_id
                    then previous.person_id
            end as replaced_person_id,
            coalesce(
                previous.first_assigned_at, cast(current_timestamp as timestamp)
            ) as first_assigned_at,
        {% else %}
            cast(null as varchar) as replaced_person_id,
            cast(current_timestamp as timestamp) as first_assigned_at,
        {% endif %}
        cast(current_timestamp as timestamp) as assigned_at
    from current_assignments
    {% if is_incremental() %}
        left join previous
            on
                current_assignments.identifier_type = previous.identifier_type
                and current_assignments.identifier_hash
                = previous.identifier_hash
    {% endif %}
)

select * from final
