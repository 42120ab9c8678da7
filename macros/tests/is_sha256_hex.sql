{% test is_sha256_hex(model, column_name) %}
{#- A hashed identifier column holds only 64-character lowercase hex. -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not regexp_full_match({{ column_name }}, '[0-9a-f]{64}')
{% endtest %}
