{% test unique_combination(model, columns) %}
{#- Fails with one row per combination of the columns that occurs twice. -#}
select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
