{% test unique_combination(model, columns) %}
{#- Fails with one row per combination of the columns that occurs twice. -#}
{{ adapter.dispatch('unique_combination_sql', 'customer_journey')(model, columns) }}
{% endtest %}

{% macro default__unique_combination_sql(model, columns) -%}
select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- endmacro %}

{% macro duckdb__unique_combination_sql(model, columns) -%}
{#- The same rows, found in two steps. A hash aggregate over tens of
    millions of distinct wide keys (three strings, some 150 bytes) is the
    costliest way to find none: first the 64-bit hashes of the combinations
    are sorted and equal neighbours kept; then only the rows whose hash
    repeats are grouped on the columns themselves, so a hash collision never
    fails the test and a true duplicate always does. -#}
with

hashed as (
    select hash({{ columns | join(', ') }}) as combination_hash
    from {{ model }}
),

sorted_hashes as (
    select
        combination_hash,
        lead(combination_hash) over (order by combination_hash) as next_hash
    from hashed
),

repeated_hashes as (
    select combination_hash
    from sorted_hashes
    where combination_hash = next_hash
),

candidates as (
    select *
    from {{ model }}
    where hash({{ columns | join(', ') }}) in (
        select combination_hash from repeated_hashes
    )
)

{{ default__unique_combination_sql('candidates', columns) }}
{%- endmacro %}
