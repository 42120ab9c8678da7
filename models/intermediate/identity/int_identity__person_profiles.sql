-- One row per resolved person with what the other models say about them:
-- the current lifecycle stage (the last one entered), the channel and
-- campaign of the first attributable touch, order figures (purchases net of
-- returns), and the marketing consent of the most recently updated CRM
-- record of the person.
with

persons as (
    select * from {{ ref('int_identity__persons') }}
),

components as (
    select * from {{ ref('int_identity__components') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
),

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

stage_transitions as (
    select * from {{ ref('int_stages__transitions') }}
),

current_stages as (
    select
        person_id,
        stage,
        row_number() over (
            partition by person_id order by stage_order desc
        ) as stage_rank
    from stage_transitions
),

first_touches as (
    -- the channel of the person's first touch (the first session, email
    -- open or store visit)
    select
        person_id,
        channel_group,
        campaign,
        touched_at,
        row_number() over (
            partition by person_id order by touched_at, touchpoint_id
        ) as touch_rank
    from touchpoints
    where person_id is not null and is_attributable
),

orders as (
    select
        person_id,
        min(
            case when conversion_type = 'purchase' then converted_at end
        ) as first_order_at,
        max(
            case when conversion_type = 'purchase' then converted_at end
        ) as last_order_at,
        count(case when conversion_type = 'purchase' then 1 end)
            as orders_count,
        sum(revenue_eur) as revenue_eur
    from conversions
    where
        person_id is not null
        and conversion_type in ('purchase', 'return')
    group by person_id
),

consent as (
    -- the consent of the person's most recently updated CRM record
    select
        components.component_id,
        contacts.has_marketing_consent,
        row_number() over (
            partition by components.component_id
            order by contacts.updated_at desc, contacts.contact_id_hash asc
        ) as recency_rank
    from contacts
    inner join components
        on
            components.identifier_type = 'contact_id'
            and contacts.contact_id_hash = components.identifier_hash
),

final as (
    select
        persons.person_id,
        persons.first_seen_at,
        persons.last_seen_at,
        persons.is_known,
        current_stages.stage as current_stage,
        first_touches.channel_group as acquisition_channel,
        first_touches.campaign as acquisition_campaign,
        first_touches.touched_at as first_touch_at,
        orders.first_order_at,
        orders.last_order_at,
        coalesce(orders.orders_count, 0) as orders_count,
        cast(coalesce(orders.revenue_eur, 0) as decimal(18, 2)) as revenue_eur,
        coalesce(consent.has_marketing_consent, false) as has_marketing_consent,
        persons.identifiers,
        persons.account_ids > 0 as has_account,
        persons.cookies_and_installs,
        persons.anchor_type
    from persons
    left join consent
        on
            persons.component_id = consent.component_id
            and consent.recency_rank = 1
    left join first_touches
        on
            persons.person_id = first_touches.person_id
            and first_touches.touch_rank = 1
    left join orders on persons.person_id = orders.person_id
    left join current_stages
        on
            persons.person_id = current_stages.person_id
            and current_stages.stage_rank = 1
)

select * from final
