-- One row per conversion: web and app orders (`Order Completed`, one row per
-- order id), store purchases and returns (returns carry a negative revenue, so
-- summing revenue_eur nets them), and sign-ups. Orders are tied to a person
-- through the account that placed them, else the device; store sales through
-- the loyalty card, else the e-receipt email. A sale nobody can be tied to
-- (a cash sale, a guest order on a junk cookie, an erased person) is kept
-- with a null person_id so that revenue still reconciles.
with

web_events as (
    select * from {{ ref('stg_web__events') }}
),

app_events as (
    select * from {{ ref('stg_app__events') }}
),

sessionized as (
    select * from {{ ref('int_sessions__sessionized') }}
),

store_sales as (
    select * from {{ ref('int_journeys__store_sales') }}
),

bridge as (
    select * from {{ ref('bridge_person_identifiers') }}
),

online_events as (
    {% for platform in ['web', 'app'] %}
        select
            '{{ platform }}' as sales_channel,
            message_id,
            occurred_at,
            event_name,
            anonymous_id_hash,
            user_id_hash,
            order_id,
            revenue,
            currency,
            revenue_eur
        from {{ platform }}_events
        where event_name in ('Order Completed', 'Signed Up')
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

online_ranked as (
    -- an order id sent twice (a retried checkout page) counts once
    select
        *,
        case
            when event_name = 'Order Completed' then 'purchase'
            else 'sign_up'
        end as conversion_type,
        row_number() over (
            partition by
                sales_channel,
                event_name,
                coalesce(order_id, message_id)
            order by occurred_at, message_id
        ) as receipt_rank
    from online_events
),

online as (
    select
        online_ranked.conversion_type,
        online_ranked.sales_channel,
        online_ranked.occurred_at as converted_at,
        online_ranked.order_id,
        online_ranked.message_id as source_record_id,
        coalesce(account_links.person_id, device_links.person_id) as person_id,
        sessionized.session_id,
        sessionized.device_key,
        cast(null as varchar) as store_id,
        case
            when online_ranked.conversion_type = 'purchase'
                then online_ranked.revenue
            else 0
        end as revenue_local,
        online_ranked.currency,
        case
            when online_ranked.conversion_type = 'purchase'
                then online_ranked.revenue_eur
            else 0
        end as revenue_eur
    from online_ranked
    left join bridge as account_links
        on
            account_links.identifier_type = 'user_id'
            and online_ranked.user_id_hash = account_links.identifier_hash
    left join bridge as device_links
        on
            device_links.identifier_type = case online_ranked.sales_channel
                when 'web' then 'anonymous_id' else 'install_id'
            end
            and online_ranked.anonymous_id_hash = device_links.identifier_hash
    left join sessionized
        on
            online_ranked.sales_channel = sessionized.platform
            and online_ranked.message_id = sessionized.message_id
    where online_ranked.receipt_rank = 1
),

store as (
    -- an erased person's sale keeps its revenue but no person (the graph
    -- no longer holds their card or email)
    select
        case when is_return then 'return' else 'purchase' end
            as conversion_type,
        'store' as sales_channel,
        occurred_at as converted_at,
        transaction_id as order_id,
        transaction_id as source_record_id,
        person_id,
        cast(null as varchar) as session_id,
        cast(null as varchar) as device_key,
        store_id,
        total_amount as revenue_local,
        currency,
        total_amount_eur as revenue_eur
    from store_sales
),

unioned as (
    select * from online
    union all
    select * from store
),

numbered as (
    select
        *,
        case
            when conversion_type = 'purchase' and person_id is not null
                then row_number() over (
                    partition by
                        person_id,
                        conversion_type = 'purchase' and person_id is not null
                    order by converted_at, sales_channel, source_record_id
                )
        end as purchase_number
    from unioned
),

final as (
    select
        {{ surrogate_key(['conversion_type', 'sales_channel',
                          'source_record_id']) }} as conversion_id,
        person_id,
        converted_at,
        conversion_type,
        sales_channel,
        order_id,
        revenue_eur,
        revenue_local,
        currency,
        case
            when conversion_type = 'purchase' and person_id is not null
                then purchase_number = 1
        end as is_first_purchase,
        purchase_number,
        session_id,
        device_key,
        store_id
    from numbered
)

select * from final
