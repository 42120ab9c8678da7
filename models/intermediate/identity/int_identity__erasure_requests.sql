-- The erasure requests of the CRM snapshots: for each contact whose current
-- row has erased_at set, the identifiers that row holds. Kept across builds,
-- beside the suppression list it seeds (int_identity__erased_identifiers):
-- the build deletes the erased contact's rows from staging before it is
-- published, and a daily build reads each snapshot once, so the next build
-- learns the request from here, not from the snapshots. Salted hashes only.
--
-- Incremental, replace_keys by contact: a build takes again the contacts
-- whose current row it wrote (stg_crm__contacts, written_at after this
-- table's latest); a contact whose new current row no longer asks for
-- erasure loses its rows (a key-only row), as a full build would.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='contact_id_hash',
    meta={'key_only_column': 'identifier_hash'},
    on_schema_change='fail',
) }}

{%- if is_incremental() %}
    {%- set watermark = incremental_watermark('written_at') %}
{%- endif %}

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
    {%- if is_incremental() %}
        where written_at > {{ watermark }}
    {%- endif %}
),

requests as (
    {% for column, identifier_type in contact_identifier_columns() %}
        select
            contact_id_hash,
            '{{ identifier_type }}' as identifier_type,
            {{ column }} as identifier_hash,
            erased_at,
            written_at
        from contacts
        where is_erased and {{ column }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select * from requests
    {%- if is_incremental() %}
        union all
        -- a contact this table holds whose new current row asks no more
        select {{ key_only_rows({
            'contact_id_hash': 'contacts.contact_id_hash'
        }) }}
        from contacts
        where
            not contacts.is_erased
            and contacts.contact_id_hash in (
                select previous.contact_id_hash from {{ this }} as previous
            )
    {%- endif %}
)

select * from final
