-- One row per person and lifecycle signal occurrence: what the stage rules
-- (seed lifecycle_stage_rules) are made of. Behaviour counts through the
-- person of its session (int_journeys__person_events); purchases through
-- fct_conversions; NPS answers through the CRM contact.
with

touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

person_events as (
    select * from {{ ref('int_journeys__person_events') }}
),

conversions as (
    select * from {{ ref('fct_conversions') }}
),

responses as (
    select * from {{ ref('stg_surveys__nps_responses') }}
),

bridge as (
    select * from {{ ref('bridge_person_identifiers') }}
),

touches as (
    select
        person_id,
        'touch' as signal_name,
        touched_at as occurred_at,
        touchpoint_id as source_record_id
    from touchpoints
    where
        person_id is not null
        and touch_type in (
            'session_start', 'email_open', 'email_click', 'store_visit'
        )
),

email_clicks as (
    select
        person_id,
        'email_click' as signal_name,
        touched_at as occurred_at,
        touchpoint_id as source_record_id
    from touchpoints
    where person_id is not null and touch_type = 'email_click'
),

second_sessions as (
    select
        person_id,
        'second_session' as signal_name,
        started_at as occurred_at,
        session_id as source_record_id
    from (
        select
            person_id,
            started_at,
            session_id,
            row_number() over (
                partition by person_id order by started_at, session_id
            ) as session_rank
        from sessions
        where person_id is not null
    ) as ranked
    where session_rank = 2
),

events as (
    select
        person_events.person_id,
        case person_events.event_name
            when 'Product Viewed' then 'product_viewed'
            when 'Product Added' then 'product_added'
            when 'Signed Up' then 'signed_up'
            when 'Newsletter Subscribed' then 'newsletter_subscribed'
            when 'Product Reviewed' then 'review'
            when 'Referral Sent' then 'referral'
        end as signal_name,
        person_events.occurred_at,
        person_events.platform || ':' || person_events.message_id
            as source_record_id
    from person_events
    where
        person_events.person_id is not null
        and person_events.event_name in (
            'Product Viewed', 'Product Added', 'Signed Up',
            'Newsletter Subscribed', 'Product Reviewed', 'Referral Sent'
        )
),

purchases as (
    select
        person_id,
        conversion_id,
        converted_at,
        purchase_number,
        lag(converted_at) over (
            partition by person_id order by purchase_number
        ) as previous_purchase_at
    from conversions
    where conversion_type = 'purchase' and person_id is not null
),

purchase_signals as (
    select
        person_id,
        case
            when purchase_number = 1 then 'first_purchase'
            else 'repeat_purchase'
        end as signal_name,
        converted_at as occurred_at,
        conversion_id as source_record_id
    from purchases
    where
        purchase_number = 1
        or {{ dbt.dateadd(
            'day', var('retention_window_days'), 'previous_purchase_at'
        ) }} >= converted_at
),

promoters as (
    select
        bridge.person_id,
        'nps_promoter' as signal_name,
        responses.submitted_at as occurred_at,
        responses.response_id as source_record_id
    from responses
    inner join bridge
        on
            bridge.identifier_type = 'contact_id'
            and responses.contact_id_hash = bridge.identifier_hash
    where responses.nps_score >= 9 and bridge.person_id is not null
),

final as (
    select * from touches
    union all
    select * from email_clicks
    union all
    select * from second_sessions
    union all
    select * from events
    union all
    select * from purchase_signals
    union all
    select * from promoters
)

select * from final
