-- Where attempts stop, counted (no person ids leave the warehouse).
select
    period_start,
    last_step_order,
    last_step,
    dropped_before_step,
    is_completed,
    count(*) as attempts,
    count(*) filter (where is_cart_abandoned) as cart_abandonments
from marts.mart_funnel_drop_offs
group by all
