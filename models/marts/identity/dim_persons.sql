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
)

select * from final
