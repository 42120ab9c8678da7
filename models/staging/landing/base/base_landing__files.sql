-- One row per file of every landing source, listed once per build before any
-- source is read (only the files' metadata: milliseconds). The incremental
-- base models compare it with what they have read, so that all of them see
-- the same files, whatever lands while the build runs.
{{ config(materialized='table') }}

{%- set listed = [] %}
{%- for source_name, entity, _ in landing_base_models() %}
    {%- set pattern = landing_glob(source(source_name, entity)) %}
    {%- if landing_file_count(pattern) > 0 %}
        {%- do listed.append((source_name, entity, pattern)) %}
    {%- endif %}
{%- endfor %}

with

files as (
    {%- for source_name, entity, pattern in listed %}
    select
        '{{ source_name }}' as source_name,
        '{{ entity }}' as entity,
        listed.source_file,
        listed.file_bytes,
        listed.file_modified_at
    from {{ landing_file_listing(pattern) }} as listed
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as source_name,
            cast(null as {{ dbt.type_string() }}) as entity,
            cast(null as {{ dbt.type_string() }}) as source_file,
            cast(null as bigint) as file_bytes,
            cast(null as timestamp with time zone) as file_modified_at
        where false
    {%- endfor %}
),

final as (
    select
        source_name,
        entity,
        source_file,
        file_bytes,
        file_modified_at
    from files
)

select * from final
