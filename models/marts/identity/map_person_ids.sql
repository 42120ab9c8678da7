-- One row per retired person id and the id that replaced it, kept across
-- builds (incremental). A retired id can be replaced again later: follow the
-- chain until person_id is in dim_persons. Ids of erased people are removed.
{{ config(
    materialized='incremental',
    unique_key='retired_person_id',
    incremental_strategy='delete+insert',
    meta={'keeps_history': true},
    post_hook=[
        "{{ delete_where(this, 'person_id not in (
            select person_id from ' ~ ref('int_identity__persons') ~ '
        ) and person_id not in (select retired_person_id from ' ~ this ~ ')') }}"
    ],
) }}

with

assignments as (
    select * from {{ ref('int_identity__person_assignments') }}
),

final as (
    select
        replaced_person_id as retired_person_id,
        min(person_id) as person_id,
        max(assigned_at) as changed_at,
        count(*) as identifiers_moved
    from assignments
    {%- if is_incremental() %}
        -- the identifiers reassigned since this table last changed (an
        -- assignment keeps the id it replaced until it changes again)
        where
            replaced_person_id is not null
            and assigned_at > {{ incremental_watermark('changed_at') }}
    {%- else %}
        where replaced_person_id is not null
    {%- endif %}
    group by replaced_person_id
)

select * from final
