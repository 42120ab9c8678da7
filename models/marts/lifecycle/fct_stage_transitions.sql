-- The stage transitions of int_stages__transitions, as BI tools read them.
with

transitions as (
    select * from {{ ref('int_stages__transitions') }}
),

final as (
    select
        person_id,
        stage,
        stage_order,
        entered_at,
        reached_at,
        is_skipped,
        previous_stage,
        hours_since_previous
    from transitions
)

select * from final
