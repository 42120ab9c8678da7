with

contacts as (
    select * from {{ ref('base_crm__current_contacts') }}
),

final as (
    select
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
        is_erased,
        snapshot_date,
        source_file,
        row_hash,
        loaded_at,
        written_at
    from contacts
)

select * from final
