
{% macro consent_by_component(contacts, components) -%}
    {#- The rule of a person's marketing consent, for
        int_identity__person_profiles: each component's CRM records
        (`contacts`, joined on its contact ids in `components`) ranked by
        recency (updated_at, then the contact id); recency_rank 1 is the
        record whose consent the person has. -#}
    select
        components.component_id,
        contacts.has_marketing_consent,
        row_number() over (
            partition by components.component_id
            order by contacts.updated_at desc, contacts.contact_id_hash asc
        ) as recency_rank
    from {{ contacts }} as contacts
    inner join {{ components }} as components
        on
            components.identifier_type = 'contact_id'
            and contacts.contact_id_hash = components.identifier_hash
{%- endmacro %}
