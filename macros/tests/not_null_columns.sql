{% test not_null_columns(model, columns) %}
{#- Fails with one row per row of the model where any of the columns is
    null, naming the first such column. One test node per model instead of
    one per column: dbt's cost per test node was most of a daily build's
    test time, and one scan checks them all. -#}
select
    case
        {%- for column in columns %}
            when {{ column }} is null then '{{ column }}'
        {%- endfor %}
    end as null_column
from {{ model }}
where
    {%- for column in columns %}
        {{ column }} is null{{ ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}
