-- The persons of int_identity__person_profiles, as BI tools read them.
--
-- Incremental by person (replace_keys): a build copies the profiles written
-- since the latest marker this table holds (profiled_at, which it keeps)
-- and deletes the persons the profiles no longer hold (a key-only row).
-- tests_last_load: a daily build's data tests check the rows it wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'profiled_at', 'tests_last_load': 'profiled_at'},
    on_schema_change='fail',
) }}

with

persons as (
    select * from {{ ref('int_identity__person_profiles') }}
    {{ where_written_since('profiled_at') }}
),

final as (
    select
        person_id,
        first_seen_at,
        last_seen_at,
        is_known,
        current_stage,
        acquisition_channel,
        acquisition_campaign,
        first_touch_at,
        first_order_at,
        last_order_at,
        orders_count,
        revenue_eur,
        has_marketing_consent,
        identifiers,
        has_account,
        cookies_and_installs,
        anchor_type,
        profiled_at
    from persons
)

select * from final
{%- if is_incremental() %}
    union all
    -- a person the profiles no longer hold
    select {{ key_only_rows({'person_id': 'previous.person_id'}) }}
    from {{ this }} as previous
    where previous.person_id not in (
        select profiles.person_id
        from {{ ref('int_identity__person_profiles') }} as profiles
    )
{%- endif %}
