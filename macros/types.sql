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

{% macro median(expression) -%}
    {#- The median of a column inside a group by. -#}
    {{ return(adapter.dispatch('median', 'customer_journey')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}
