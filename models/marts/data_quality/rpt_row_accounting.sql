with

final as (
    {% for source_name, entity, model in landing_base_models() %}
        select
            '{{ source_name }}' as source_name,
            '{{ entity }}' as entity,
            count(*) as rows_in_files,
            count(
                case
                    when quarantine_reason is null and not is_duplicate then 1
                end
            ) as staged_rows,
            count(case when is_duplicate then 1 end) as duplicate_rows,
            count(case when quarantine_reason is not null then 1 end)
                as quarantined_rows,
            count(distinct source_file) as files
        from {{ ref(model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
