{% test sha256_hex_columns(model, columns) %}
{#- Each of the columns, where not null, holds only 64-character lowercase
    hex. One test node and one scan per model (like not_null_columns): fails
    with one row per row holding another value, naming the first such
    column. -#}
select
    case
        {%- for column in columns %}
            when {{ column }} is not null
                and not {{ adapter.dispatch('sha256_hex_check', 'customer_journey')(column) }}
                then '{{ column }}'
        {%- endfor %}
    end as malformed_column
from {{ model }}
where
    {%- for column in columns %}
        ({{ column }} is not null
            and not {{ adapter.dispatch('sha256_hex_check', 'customer_journey')(column) }})
        {{- ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}

{% macro default__sha256_hex_check(column_name) -%}
    {#- Spark, Databricks: a regular expression. -#}
    {{ column_name }} rlike '^[0-9a-f]{64}$'
{%- endmacro %}

{% macro duckdb__sha256_hex_check(column_name) -%}
    {#- 64 characters, lowercase, all of them hex digits (unhex fails on any
        other character): at 1M persons 1.5 s against a regular
        expression's 2.6 s on 18.8M cookie hashes. -#}
    (
        strlen({{ column_name }}) = 64
        and {{ column_name }} = lower({{ column_name }})
        and try(unhex({{ column_name }})) is not null
    )
{%- endmacro %}
