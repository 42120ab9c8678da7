-- One row of identity-graph health figures (a row even when a count is 0).
with persons as (
    select
        count(*) as persons,
        count(*) filter (where is_known) as known_persons,
        max(identifiers) as max_identifiers
    from marts.dim_persons
),

identifiers as (
    select
        count(*) filter (where link_status = 'linked') as linked_identifiers,
        count(*) filter (
            where link_status = 'anonymous'
        ) as anonymous_identifiers,
        count(*) filter (where link_status = 'rejected') as rejected_identifiers
    from marts.bridge_person_identifiers
),

edges as (
    select
        count(*) filter (where edge_status = 'accepted') as accepted_edges,
        count(*) filter (where edge_status <> 'accepted') as refused_edges
    from marts.rpt_person_identity_evidence
),

retired as (
    select count(*) as retired_person_ids
    from marts.map_person_ids
)

select
    persons.*,
    identifiers.*,
    edges.*,
    retired.*
from persons, identifiers, edges, retired
