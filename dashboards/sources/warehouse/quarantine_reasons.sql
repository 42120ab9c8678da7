-- Quarantined rows per source, entity and reason; an entity without
-- quarantined rows keeps one row with 0, so the table is never empty.
select
    accounting.source_name,
    accounting.entity,
    coalesce(quarantined.quarantine_reason, '(none)') as quarantine_reason,
    count(quarantined.quarantined_row_id) as quarantined_rows
from marts.rpt_row_accounting as accounting
left join marts.rpt_quarantined_rows as quarantined
    on
        accounting.source_name = quarantined.source_name
        and accounting.entity = quarantined.entity
group by all
