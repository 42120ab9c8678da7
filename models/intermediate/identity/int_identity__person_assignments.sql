-- The person id every identifier has, kept across builds (incremental), so
-- that a change of person id is recorded: when two people merge, the
-- identifiers of the retired id now point at the surviving one. A build
-- writes the identifiers of the components it labelled again
-- (int_identity__components) whose person id is new or changed; the others
-- keep their row and the build that assigned it (assigned_at).
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
        "{{ delete_where(this, 'exists (
            select 1 from ' ~ ref('int_identity__erased_identifiers') ~ ' as e
            where e.identifier_type = ' ~ this ~ '.identifier_type
                and e.identifier_hash = ' ~ this ~ '.identifier_hash
        )') }}"
    ],
) }}

with

components as (
    select * from {{ ref('int_identity__components') }}
    {%- if is_incremental() %}
        -- the nodes labelled since this table last assigned a person id
        where labelled_at > {{ incremental_watermark('assigned_at') }}
    {%- endif %}
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
            coalesce(previous.first_assigned_at, {{ loaded_at() }})
                as first_assigned_at,
        {% else %}
            cast(null as {{ dbt.type_string() }}) as replaced_person_id,
            {{ loaded_at() }} as first_assigned_at,
        {% endif %}
        {{ loaded_at() }} as assigned_at
    from current_assignments
    {% if is_incremental() %}
        left join previous
            on
                current_assignments.identifier_type = previous.identifier_type
                and current_assignments.identifier_hash
                = previous.identifier_hash
        -- an identifier whose person id is the one it had keeps its row
        where
            previous.person_id is null
            or previous.person_id <> current_assignments.person_id
    {% endif %}
)

select * from final
