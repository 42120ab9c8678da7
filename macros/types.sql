{% macro type_double() -%}
    {#- A 64-bit float on every warehouse: dbt.type_float() is a 32-bit
        `float` on DuckDB, too coarse for attribution credits. -#}
    {{ return(adapter.dispatch('type_double', 'customer_journey')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}
