with

responses as (
    select * from {{ ref('base_surveys__nps_responses') }}
),

final as (
    select
        response_id,
        contact_id_hash,
        submitted_at,
        nps_score,
        case
            when nps_score >= 9 then 'promoter'
            when nps_score >= 7 then 'passive'
            else 'detractor'
        end as nps_category,
        response_comment,
        source_file
    from responses
    where quarantine_reason is null and not is_duplicate
)

select * from final
