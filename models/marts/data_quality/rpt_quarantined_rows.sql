with

unioned as (
    {% for source_name, entity, model in landing_base_models() %}
        select
            '{{ source_name }}' as source_name,
            '{{ entity }}' as entity,
            source_file,
            row_hash,
            quarantine_reason
        from {{ ref(model) }}
        where quarantine_reason is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        {{ surrogate_key([
            'source_name', 'entity', landing_path('source_file'), 'row_hash'
        ]) }}
            as quarantined_row_id,
        source_name,
        entity,
        source_file,
        row_hash,
        quarantine_reason
    from unioned
)

select * from final
