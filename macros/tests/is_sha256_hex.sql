{% test is_sha256_hex(model, column_name) %}
{#- A hashed identifier column holds only 64-character lowercase hex. -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not {{ adapter.dispatch('sha256_hex_check', 'customer_journey')(column_name) }}
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
