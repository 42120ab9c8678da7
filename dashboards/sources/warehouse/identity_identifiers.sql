-- Identifiers per type and link status, with the guardrail's reason.
select
    identifier_type,
    link_status,
    coalesce(rejected_reason, '') as rejected_reason,
    count(*) as identifiers,
    count(distinct person_id) as persons
from marts.bridge_person_identifiers
group by all
