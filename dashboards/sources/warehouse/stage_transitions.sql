-- How persons reach each stage: counts, skips and time from the stage before.
select
    stage,
    stage_order,
    count(*) as persons,
    count(*) filter (where is_skipped) as skipped,
    count(*) filter (where not is_skipped) as entered,
    median(hours_since_previous) as median_hours_since_previous
from marts.fct_stage_transitions
group by all
