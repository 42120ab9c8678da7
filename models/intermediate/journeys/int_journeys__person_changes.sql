-- One row per person whose journey material changed, with the latest build
-- that changed it: the persons, before and after, of the touchpoints,
-- conversions and NPS promoter answers written or replaced since this
-- table's latest marker (models written by what changed: their new rows
-- and their `__replaced` companions, which this model empties), and the
-- persons of the sessions stitched since (a session's events). The
-- per-person models (int_journeys__touches, int_stages__signals,
-- int_stages__transitions, int_funnel__attempts) compute again only the
-- persons changed since their own marker (macro of_changed_persons).
--
-- Incremental by person (replace_keys on person_id): a full build lists
-- every person of those tables.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'changed_at', 'tests_last_load': 'changed_at'},
    on_schema_change='fail',
    post_hook="{{ prune_replaced_rows(ref('int_stages__promoters'), loaded_at()) }}",
) }}

{%- set since = incremental_watermark('changed_at') if is_incremental()
    else "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" %}

with

changed as (
    {%- for name in [
        'int_journeys__touchpoints',
        'int_journeys__conversions',
        'int_stages__promoters'
    ] %}
        {{ written_or_replaced_since(
            ref(name), 'person_id', 'changed_at', since
        ) }}
        union all
    {%- endfor %}
    select stitched.person_id
    from {{ ref('int_sessions__stitched') }} as stitched
    where stitched.stitched_at > {{ since }}
),

final as (
    select distinct
        person_id,
        {{ loaded_at() }} as changed_at
    from changed
    where person_id is not null
)

select * from final
