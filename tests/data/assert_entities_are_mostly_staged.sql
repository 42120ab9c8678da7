-- Warns when a landing entity's rows are mostly quarantined (more than the
-- var quarantine_warn_share of the rows its files hold): one row per such
-- entity with its share and its top reason, kept in the audit schema.
{{ config(severity='warn', store_failures=true) }}

with

accounting as (
    select * from {{ ref('rpt_row_accounting') }}
),

quarantined as (
    select * from {{ ref('rpt_quarantined_rows') }}
),

reasons as (
    select
        source_name,
        entity,
        quarantine_reason,
        row_number() over (
            partition by source_name, entity
            order by count(*) desc, quarantine_reason asc
        ) as reason_rank
    from quarantined
    group by source_name, entity, quarantine_reason
),

final as (
    select
        accounting.source_name,
        accounting.entity,
        accounting.rows_in_files,
        accounting.quarantined_rows,
        round(
            accounting.quarantined_rows * 1.0 / accounting.rows_in_files, 3
        ) as quarantined_share,
        reasons.quarantine_reason as top_reason
    from accounting
    left join reasons
        on
            accounting.source_name = reasons.source_name
            and accounting.entity = reasons.entity
            and reasons.reason_rank = 1
    where
        accounting.rows_in_files > 0
        and accounting.quarantined_rows
        > {{ var('quarantine_warn_share') }} * accounting.rows_in_files
)

select * from final
