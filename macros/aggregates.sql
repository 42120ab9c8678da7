{% macro first_by(value, order_by) -%}
    {#- The value of `value` on the row that sorts first by the columns in
        `order_by` (a list), nulls included: one aggregate instead of a
        row_number() window that sorts every row. -#}
    {{ return(adapter.dispatch('first_by', 'customer_journey')(value, order_by)) }}
{%- endmacro %}

{% macro default__first_by(value, order_by) -%}
    {#- Spark, Databricks, Snowflake and BigQuery-style min_by; a struct
        orders by its fields in turn. -#}
    min_by({{ value }}, struct({{ order_by | join(', ') }}))
{%- endmacro %}

{% macro duckdb__first_by(value, order_by) -%}
    {#- arg_min skips a null value; arg_min_null returns it. -#}
    arg_min_null({{ value }}, row({{ order_by | join(', ') }}))
{%- endmacro %}
