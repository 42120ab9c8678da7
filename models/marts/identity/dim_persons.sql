-- The persons of int_identity__person_profiles, as BI tools read them.
with

persons as (
    select * from {{ ref('int_identity__person_profiles') }}
),

final as (
    select
        person_id,
        first_seen_at,
        last_seen_at,
        is_known,
        current_stage,
        acquisition_channel,
        acquisition_campaign,
        first_touch_at,
        first_order_at,
        last_order_at,
        orders_count,
        revenue_eur,
        has_marketing_consent,
        identifiers,
        has_account,
        cookies_and_installs,
        anchor_type
    from persons
)

select * from final
