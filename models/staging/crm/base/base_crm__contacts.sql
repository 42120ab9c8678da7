-- Every contact row of every CRM snapshot (base_crm__contact_rows) with its
-- status: quarantined (reason), superseded (is_duplicate: a row of an older
-- snapshot, or repeated in its own), or current (the row
-- base_crm__current_contacts holds). A view: the rows are kept by snapshot
-- and the current ones by contact, so the status of an older snapshot's
-- row is read, never rewritten. A row an erasure cleared (is_erased) is not
-- a duplicate: the row accounting counts every row of an erased contact as
-- erased.
-- tests_last_load: a daily build's data tests check the rows it loaded (a
-- row's key and status are set by construction: its key is tested where it
-- is loaded, base_crm__contact_rows).
{{ config(
    materialized='view',
    meta={'tests_last_load': true},
) }}

with

contact_rows as (
    select
        source_file,
        layout_reason,
        row_hash,
        snapshot_date,
        contact_id_hash,
        user_id_hash,
        email_hash,
        phone_hash,
        is_invalid_phone,
        loyalty_card_hash,
        postal_code,
        has_marketing_consent,
        created_at,
        updated_at,
        erased_at,
        has_erasure_request,
        quarantine_reason,
        is_repeated_in_file,
        file_bytes,
        file_modified_at,
        loaded_at,
        is_erased
    from {{ ref('base_crm__contact_rows') }}
),

current_rows as (
    select
        contact_id_hash,
        source_file
    from {{ ref('base_crm__current_contacts') }}
),

final as (
    select
        contact_rows.*,
        contact_rows.quarantine_reason is null
        and not contact_rows.is_erased
        and (
            contact_rows.is_repeated_in_file
            or current_rows.contact_id_hash is null
        ) as is_duplicate
    from contact_rows
    left join current_rows
        on
            contact_rows.contact_id_hash = current_rows.contact_id_hash
            and contact_rows.source_file = current_rows.source_file
)

select * from final
