-- Which export files hold unusable rows, and why: the list to send to whoever
-- owns the export. Compile with `dbt compile -s quarantine_by_file` and run
-- the SQL from target/compiled against the warehouse.
with

quarantined as (
    select * from {{ ref('rpt_quarantined_rows') }}
),

final as (
    select
        source_name,
        entity,
        source_file,
        quarantine_reason,
        count(*) as quarantined_rows
    from quarantined
    group by source_name, entity, source_file, quarantine_reason
)

select * from final
order by quarantined_rows desc, source_file asc
