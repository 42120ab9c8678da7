-- Every contact row of every snapshot, typed and hashed, with its status:
-- quarantined (reason), superseded (an older snapshot or a repeated row), or
-- current. Names are dropped here: nothing downstream needs them.
{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('crm', 'contacts'),
        ['contact_id']
    ) }}
),

typed as (
    select
        filename as source_file,
        layout_reason,
        {{ surrogate_key([
            landing_path('filename'), 'contact_id', 'customer_id', 'email', 'updated_at'
        ]) }} as row_hash,
        try_cast(
            regexp_extract(filename, '(\d{4}-\d{2}-\d{2})\.csv$', 1) as date
        ) as snapshot_date,
        {{ hash_identifier('contact_id', normalize_identifier('contact_id')) }}
            as contact_id_hash,
        {{ hash_identifier('user_id', normalize_identifier('customer_id')) }}
            as user_id_hash,
        {{ hash_identifier('email', normalize_email('email')) }} as email_hash,
        {{ hash_identifier('phone', normalize_phone('phone')) }} as phone_hash,
        phone is not null and {{ normalize_phone('phone') }} is null
            as is_invalid_phone,
        {{ hash_identifier(
            'loyalty_card', normalize_identifier('loyalty_card_id')
        ) }}
            as loyalty_card_hash,
        nullif(trim(postal_code), '') as postal_code,
        {{ parse_boolean('marketing_consent') }} as has_marketing_consent,
        {{ parse_timestamp('created_at') }} as created_at,
        {{ parse_timestamp('updated_at') }} as updated_at,
        {{ parse_timestamp('erased_at') }} as erased_at,
        nullif(trim(erased_at), '') is not null as is_erased,
        nullif(trim(erased_at), '') is not null
        and {{ parse_timestamp('erased_at') }} is null as is_bad_erased_at
    from source
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when contact_id_hash is null then 'missing contact_id'
            when snapshot_date is null
                then 'file name has no snapshot date (contacts_YYYY-MM-DD.csv)'
            when created_at is null then 'missing or unparseable created_at'
            when is_bad_erased_at then 'unparseable erased_at'
        end as quarantine_reason
    from typed
),

final as (
    select
        * exclude (is_bad_erased_at),
        -- a later snapshot supersedes every earlier row of the same contact
        quarantine_reason is null and row_number() over (
            partition by contact_id_hash, quarantine_reason is null
            order by
                snapshot_date desc, updated_at desc nulls last, row_hash asc
        ) > 1 as is_duplicate
    from checked
)

select * from final
