{% test known_contact(model, column_name) %}
{#- Fails with one row per row of the model whose contact id (a salted
    hash) is neither a contact of the CRM (stg_crm__contacts) nor one that
    asked for erasure (int_identity__erasure_requests): an erased contact's
    row leaves staging when its build is published, and a daily build does
    not read its snapshot again, while the rows that name it are deleted or
    cleared when the build that read them is published. -#}
select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in (
        select contacts.contact_id_hash
        from {{ ref('stg_crm__contacts') }} as contacts
    )
    and {{ column_name }} not in (
        select requests.contact_id_hash
        from {{ ref('int_identity__erasure_requests') }} as requests
    )
{% endtest %}
