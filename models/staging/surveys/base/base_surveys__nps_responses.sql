{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('surveys', 'nps_responses'),
        ['response_id', 'contact_id', 'submitted_at', 'nps_score']
    ) }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'response_id', 'submitted_at'
        ]) }}
            as row_hash,
        nullif(trim(response_id), '') as response_id,
        {{ hash_identifier('contact_id', normalize_identifier('contact_id')) }}
            as contact_id_hash,
        {{ parse_timestamp('submitted_at') }} as submitted_at,
        try_cast(nps_score as integer) as nps_score,
        -- free text can hold contact details: they are masked, not kept
        nullif(
            {{ regex_replace_all(
                regex_replace_all('comment', '[^\\s@]+@[^\\s@]+', '[email]'),
                '\\+?[0-9][0-9 .()-]{7,}[0-9]', '[phone]'
            ) }},
            ''
        ) as response_comment
    from source
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when response_id is null then 'missing response_id'
            when contact_id_hash is null then 'missing contact_id'
            when submitted_at is null then 'missing or unparseable submitted_at'
            when {{ implausible_time_reason(
                'submitted_at', 'submitted_at'
            ) }} is not null
                then {{ implausible_time_reason(
                    'submitted_at', 'submitted_at'
                ) }}
            when nps_score is null or nps_score not between 0 and 10
                then 'nps_score is not an integer from 0 to 10'
        end as quarantine_reason
    from typed
),

final as (
    select
        *,
        quarantine_reason is null and row_number() over (
            partition by response_id, quarantine_reason is null
            order by source_file, row_hash
        ) > 1 as is_duplicate
    from checked
)

select * from final
