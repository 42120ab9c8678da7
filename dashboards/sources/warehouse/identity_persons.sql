-- Persons by anchor and by how many identifiers they hold: the long tail
-- is where an over-merge would show.
select
    anchor_type,
    is_known,
    has_account,
    identifiers,
    count(*) as persons
from marts.dim_persons
group by all
