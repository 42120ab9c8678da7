-- Where every raw row of each landing entity went. A usable row that holds
-- an identifier of an erased person is counted as erased: the build deletes
-- it from staging before it is published, or, in the event lines a daily
-- build keeps, clears its identifiers and flags it (macro erase_in_staging).
-- A CRM contact's rows in older snapshots are earlier states of one record,
-- not deliveries of it: every usable row of an erased contact counts as
-- erased, superseded or not (a daily build clears them all, and can then no
-- longer tell which one was current).
{%- set erased_before_superseded = ['base_crm__contacts'] %}
with

{% for source_name, entity, model in landing_base_models() %}
    {{ model }} as (
        select
            source_file,
            is_duplicate,
            quarantine_reason is not null as is_quarantined,
            quarantine_reason is null and not is_duplicate as is_usable,
            {% if reads_erased_in_place(model) -%}
                is_erased or
            {%- endif %}
            {{ holds_erased_identifier(
                ref(model), ref('int_identity__erased_identifiers')
            ) }} as is_erased
        from {{ ref(model) }}
    ),
{% endfor %}

final as (
    {% for source_name, entity, model in landing_base_models() %}
        select
            '{{ source_name }}' as source_name,
            '{{ entity }}' as entity,
            count(*) as rows_in_files,
            count(case when is_usable and not is_erased then 1 end)
                as staged_rows,
            {% if model in erased_before_superseded -%}
                count(case when is_duplicate and not is_erased then 1 end)
                    as duplicate_rows,
                count(case when is_quarantined then 1 end) as quarantined_rows,
                count(case when not is_quarantined and is_erased then 1 end)
                    as erased_rows,
            {%- else -%}
                count(case when is_duplicate then 1 end) as duplicate_rows,
                count(case when is_quarantined then 1 end) as quarantined_rows,
                count(case when is_usable and is_erased then 1 end)
                    as erased_rows,
            {%- endif %}
            count(distinct source_file) as files
        from {{ model }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
