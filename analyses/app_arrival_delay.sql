-- How late app events arrive (offline batching): the share of events received
-- within each delay, to choose how many days an incremental window must look
-- back.
with

events as (
    select * from {{ ref('stg_app__events') }}
),

delays as (
    select
        {{ dbt.datediff('occurred_at', 'received_at', 'hour') }}
            as delay_hours
    from events
    where received_at is not null
),

final as (
    select
        case
            when delay_hours < 1 then 'under 1 hour'
            when delay_hours < 24 then '1 to 24 hours'
            when delay_hours < 72 then '1 to 3 days'
            when delay_hours < 240 then '3 to 10 days'
            else '10 days or more'
        end as arrival_delay,
        count(*) as events,
        count(*) * 1.0 / sum(count(*)) over () as share_of_events
    from delays
    group by 1
)

select * from final
order by 2 desc
