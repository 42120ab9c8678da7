-- One row per resolved person (connected component). The person id is the
-- salted hash of the component's anchor: its earliest-seen identifier (ties:
-- the stronger type, then the hash). Adding unrelated data never changes an
-- anchor, so ids are stable across rebuilds; when two people merge, the
-- older anchor wins, the other id is retired and recorded in map_person_ids.
with

components as (
    select * from {{ ref('int_identity__components') }}
),

identifiers as (
    select * from {{ ref('int_identity__identifiers') }}
),

members as (
    select
        components.component_id,
        identifiers.identifier_type,
        identifiers.identifier_hash,
        identifiers.priority,
        identifiers.is_account,
        identifiers.is_known,
        identifiers.is_cookie_or_install,
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from components
    inner join identifiers on components.node_id = identifiers.node_id
),

anchors as (
    select
        component_id,
        identifier_type as anchor_type,
        identifier_hash as anchor_hash,
        row_number() over (
            partition by component_id
            order by first_seen_at asc, priority asc, identifier_hash asc
        ) as anchor_rank
    from members
),

summary as (
    select
        component_id,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        count(*) as identifiers,
        count(case when is_account then 1 end) as account_ids,
        count(case when is_cookie_or_install then 1 end)
            as cookies_and_installs,
        count(case when is_known then 1 end) > 0 as is_known
    from members
    group by component_id
),

final as (
    select
        {{ sha256_hex(
            hash_salt() ~ " || '|person|' || anchors.anchor_type"
            ~ " || '|' || anchors.anchor_hash"
        ) }} as person_id,
        summary.component_id,
        anchors.anchor_type,
        anchors.anchor_hash,
        summary.first_seen_at,
        summary.last_seen_at,
        summary.identifiers,
        summary.account_ids,
        summary.cookies_and_installs,
        summary.is_known
    from summary
    inner join anchors
        on
            summary.component_id = anchors.component_id
            and anchors.anchor_rank = 1
)

select * from final
