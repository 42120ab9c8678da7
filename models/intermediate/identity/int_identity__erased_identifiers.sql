-- The suppression list of GDPR erasures: the identifiers of every contact
-- whose latest snapshot has erased_at set (int_identity__erasure_requests,
-- kept across builds), and every identifier that shares a record with one of
-- them (their cookies, devices, other addresses), except
-- junk values and identifiers also seen with someone else's account id (a
-- zeroed advertising id or a family tablet is not theirs alone). Records
-- that hold any of these are dropped before the graph is built, so erased
-- people appear in no model downstream. This list itself must be kept to
-- honour the erasure on every rebuild; it holds salted hashes only.
with

{%- set observations = ref('int_identity__observations_all') %}

-- the observations are read where each step needs them, with its filter, not
-- through one CTE: a CTE read several times is materialised whole

requests as (
    select * from {{ ref('int_identity__erasure_requests') }}
),

junk as (
    select * from {{ ref('int_identity__junk_hashes') }}
),

erased_contacts as (
    select distinct contact_id_hash
    from requests
),

erased_contact_records as (
    select distinct observations.record_id
    from {{ observations }} as observations
    inner join erased_contacts
        on observations.identifier_hash = erased_contacts.contact_id_hash
    where observations.identifier_type = 'contact_id'
),

direct as (
    -- the identifiers of the records that hold an erased contact id, and
    -- those of the request itself: a contact row deleted by an earlier
    -- build is no longer among the records
    select
        observations.identifier_type,
        observations.identifier_hash
    from {{ observations }} as observations
    inner join erased_contact_records
        on observations.record_id = erased_contact_records.record_id
    union
    select
        requests.identifier_type,
        requests.identifier_hash
    from requests
),

erased_records as (
    select distinct observations.record_id
    from {{ observations }} as observations
    inner join direct
        on
            observations.identifier_type = direct.identifier_type
            and observations.identifier_hash = direct.identifier_hash
),

reached as (
    -- the identifiers of the erased records and of the requests (which no
    -- record may hold any more); junk values are never anyone's: they are
    -- left out here already
    select distinct
        held.identifier_type,
        held.identifier_hash
    from (
        select
            observations.identifier_type,
            observations.identifier_hash
        from {{ observations }} as observations
        inner join erased_records
            on observations.record_id = erased_records.record_id
        union all
        select
            requests.identifier_type,
            requests.identifier_hash
        from requests
    ) as held
    left join junk
        on
            held.identifier_type = junk.identifier_type
            and held.identifier_hash = junk.identifier_hash
    where junk.identifier_hash is null
),

reached_records as (
    -- every record that holds a reached identifier: where an account id
    -- that is not the erased person's could show it is shared
    select distinct
        observations.record_id,
        observations.identifier_type,
        observations.identifier_hash
    from {{ observations }} as observations
    inner join reached
        on
            observations.identifier_type = reached.identifier_type
            and observations.identifier_hash = reached.identifier_hash
),

other_accounts as (
    -- reached identifiers that also share a record with an account id that
    -- is not the erased person's
    select distinct
        reached_records.identifier_type,
        reached_records.identifier_hash
    from reached_records
    inner join {{ observations }} as account_records
        on reached_records.record_id = account_records.record_id
    left join direct
        on
            account_records.identifier_hash = direct.identifier_hash
            and direct.identifier_type = 'user_id'
    left join junk
        on
            account_records.identifier_hash = junk.identifier_hash
            and junk.identifier_type = 'user_id'
    where
        account_records.identifier_type = 'user_id'
        and direct.identifier_hash is null
        and junk.identifier_hash is null
),

final as (
    select
        reached.identifier_type,
        reached.identifier_hash
    from reached
    left join other_accounts
        on
            reached.identifier_type = other_accounts.identifier_type
            and reached.identifier_hash = other_accounts.identifier_hash
    left join direct
        on
            reached.identifier_type = direct.identifier_type
            and reached.identifier_hash = direct.identifier_hash
    where
        other_accounts.identifier_hash is null
        or direct.identifier_hash is not null
)

select * from final
