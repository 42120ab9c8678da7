-- Till transactions (typed once per file, base_pos__transaction_rows)
-- converted to UTC with the store's time zone and to EUR with the rate
-- valid on the day, checked, and judged duplicate over every file. The store
-- master is read from its source (a lookup, not a staging-on-staging
-- dependency).
--
-- Incremental, replace_keys by file: a build computes again the files read
-- since (new, or delivered again with other bytes: macro files_to_read),
-- the files whose store the store master now puts in another time zone, and
-- every file holding a transaction id one of those holds or held (a
-- duplicate's status depends on every file with its id); the duplicate
-- check reads every row of the ids involved. A file read again that now
-- holds no row loses its rows (a key-only row). A changed rate
-- (seed currency_rates) needs a full refresh. An erased person's rows lose
-- their hashes and are flagged (macro erase_in_staging), as in
-- base_pos__transaction_rows, which they are computed from.
-- depends_on: {{ ref('base_landing__files') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='source_file',
    meta={'key_only_column': 'row_hash'},
    on_schema_change='fail',
) }}

{%- set files = files_to_read(
    'pos', 'transactions', this if is_incremental() else none
) %}
{#- the rows judged: on an incremental run, those of the ids involved -#}
{%- set judged = 'judged_rows' if is_incremental() else 'transaction_rows' %}
{%- set quoted = [] %}
{%- for file in files %}{% do quoted.append(sql_string(file)) %}{% endfor %}
{%- set files_list -%}
    {%- if files -%}
        ({{ quoted | join(', ') }})
    {%- else -%}
        (select null)
    {%- endif -%}
{%- endset %}

with

transaction_rows as (
    select * from {{ ref('base_pos__transaction_rows') }}
),

stores as (
    select
        nullif(trim(store_id), '') as store_id,
        max(nullif(trim(timezone), '')) as timezone
    from (
        {{ csv_by_header(source('pos', 'stores'), ['store_id', 'timezone']) }}
    ) as store_rows
    where layout_reason is null
    group by 1
),

rates as (
    select * from {{ ref('currency_rates') }}
),

{% if is_incremental() -%}
    previous as (
        select
            source_file,
            transaction_id,
            store_id,
            store_timezone
        from {{ this }}
    ),

    changed_files as (
        -- the files read since, and those whose store's time zone changed
        select distinct source_file
        from transaction_rows
        where source_file in {{ files_list }}
        union
        select previous.source_file
        from previous
        left join stores on previous.store_id = stores.store_id
        where previous.store_timezone is distinct from stores.timezone
    ),

    changed_ids as (
        -- the ids those files hold, and held before (a file read again)
        select transaction_rows.transaction_id
        from transaction_rows
        inner join changed_files
            on transaction_rows.source_file = changed_files.source_file
        union
        select previous.transaction_id
        from previous
        inner join changed_files
            on previous.source_file = changed_files.source_file
    ),

    batch_files as (
        select source_file from changed_files
        union
        select transaction_rows.source_file
        from transaction_rows
        inner join changed_ids
            on transaction_rows.transaction_id = changed_ids.transaction_id
    ),

    batch_ids as (
        -- every id of the files computed again: their duplicates are judged
        -- over every row with the id
        select distinct transaction_rows.transaction_id
        from transaction_rows
        inner join batch_files
            on transaction_rows.source_file = batch_files.source_file
    ),

    judged_rows as (
        select *
        from transaction_rows
        where
            source_file in (select batch_files.source_file from batch_files)
            or transaction_id
            in (select batch_ids.transaction_id from batch_ids)
    ),

{% endif -%}

typed as (
    select
        transaction_rows.source_file,
        transaction_rows.layout_reason,
        transaction_rows.row_hash,
        transaction_rows.transaction_id,
        transaction_rows.store_id,
        stores.timezone as store_timezone,
        transaction_rows.occurred_at_local,
        transaction_rows.loyalty_card_hash,
        transaction_rows.receipt_email_hash,
        transaction_rows.total_amount,
        transaction_rows.currency,
        transaction_rows.payment_type,
        transaction_rows.is_return,
        transaction_rows.file_bytes,
        transaction_rows.file_modified_at,
        transaction_rows.loaded_at,
        transaction_rows.is_erased
    from {{ judged }} as transaction_rows
    left join stores on transaction_rows.store_id = stores.store_id
),

converted as (
    select
        typed.*,
        {{ local_to_utc('typed.occurred_at_local', 'typed.store_timezone') }}
            as occurred_at,
        {{ local_time_issue(
            'typed.occurred_at_local', 'typed.store_timezone'
        ) }} as local_time_issue,
        {{ eur_per_unit('typed.currency', 'rates.eur_per_unit') }}
            as eur_per_unit,
        {{ to_eur(
            'typed.total_amount', 'typed.currency', 'rates.eur_per_unit'
        ) }} as total_amount_eur
    from typed
    left join rates
        on {{ rate_on_day(
            'rates', 'typed.currency', 'typed.occurred_at_local'
        ) }}
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when transaction_id is null then 'missing transaction_id'
            when store_timezone is null then 'unknown store_id'
            when occurred_at_local is null then 'unparseable occurred_at'
            when {{ implausible_time_reason(
                'occurred_at_local', 'occurred_at'
            ) }} is not null
                then {{ implausible_time_reason(
                    'occurred_at_local', 'occurred_at'
                ) }}
            when total_amount is null then 'unparseable total_amount'
            when eur_per_unit is null
                then 'no EUR rate for the currency and day'
        end as quarantine_reason
    from converted
),

final as (
    select
        *,
        quarantine_reason is null and row_number() over (
            partition by transaction_id, quarantine_reason is null
            order by source_file, row_hash
        ) > 1 as is_duplicate
    from checked
)

select * from final
{%- if is_incremental() %}
    where source_file in (select batch_files.source_file from batch_files)
{%- endif %}
{{ key_only_rows_of_files(files) }}
