-- Evidence edges of the identity graph: accepted, rejected or cut, and why.
select
    identifier_type_a,
    identifier_type_b,
    edge_status,
    coalesce(rejected_reason, '') as rejected_reason,
    count(*) as edges,
    sum(records) as records
from marts.rpt_person_identity_evidence
group by all
