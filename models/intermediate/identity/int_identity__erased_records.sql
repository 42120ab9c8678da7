-- The records of people who asked for erasure: every record that holds an
-- identifier of the suppression list. A small table, so that the view
-- int_identity__observations leaves these records out with one cheap
-- anti-join wherever it is read. The publishing step empties it once it has
-- deleted the records themselves (macro erase_in_staging).
with

final as (
    {{ erased_record_ids(
        ref('int_identity__observations_all'),
        ref('int_identity__erased_identifiers')
    ) }}
)

select * from final
