-- The suppression list of GDPR erasures: the identifiers of every contact
-- whose latest snapshot has erased_at set, and every identifier that shares a
-- record with one of them (their cookies, devices, other addresses). Records
-- that hold any of these are dropped before the graph is built, so erased
-- people appear in no model downstream. This list itself must be kept to
-- honour the erasure on every rebuild; it holds salted hashes only.
with

observations as (
    select * from {{ ref('int_identity__observations_all') }}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

erased_contacts as (
    select contact_id_hash
    from contacts
    where is_erased
),

direct as (
    select distinct
        observations.identifier_type,
        observations.identifier_hash
    from observations
    inner join observations as contact_records
        on observations.record_id = contact_records.record_id
    inner join erased_contacts
        on
            contact_records.identifier_hash = erased_contacts.contact_id_hash
            and contact_records.identifier_type = 'contact_id'
),

erased_records as (
    select distinct observations.record_id
    from observations
    inner join direct
        on
            observations.identifier_type = direct.identifier_type
            and observations.identifier_hash = direct.identifier_hash
),

final as (
    select distinct
        observations.identifier_type,
        observations.identifier_hash
    from observations
    inner join erased_records
        on observations.record_id = erased_records.record_id
)

select * from final
