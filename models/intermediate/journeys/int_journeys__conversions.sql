-- One row per conversion: web and app orders and sign-ups (the events seed
-- segment_events names as conversions; an order once per order id), store
-- purchases and returns (returns carry a negative revenue, so summing
-- revenue_eur nets them). The person is the one of the record
-- (int_identity__record_persons: an order's account, else its device; a
-- store sale's e-receipt email, else its loyalty card). A sale nobody can be
-- tied to (a cash sale, a guest order on a junk cookie, an erased person) is
-- kept with a null person_id so that revenue still reconciles.
--
-- The online conversions come from int_journeys__conversion_events, a narrow
-- incremental table of the conversion events with their sessions.
--
-- Computed whole, written by what changed (macro rows_that_changed): a build
-- writes only the conversions that are new or differ from the table's,
-- marked changed_at, and deletes those gone; the rows it replaces are kept
-- for int_journeys__person_changes. tests_last_load: a daily build's data
-- tests check the rows it wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='conversion_id',
    meta={
        'key_only_column': 'converted_at',
        'keeps_replaced_rows': true,
        'tests_last_load': 'changed_at'
    },
    on_schema_change='fail',
    pre_hook="{{ drop_replaced_rows() }}",
    post_hook="{{ create_replaced_rows() }}",
) }}

with

conversion_events as (
    select * from {{ ref('int_journeys__conversion_events') }}
),

store_sales as (
    select * from {{ ref('int_journeys__store_sales') }}
),

record_persons as (
    select * from {{ ref('int_identity__record_persons') }}
),

online_events as (
    select
        platform as sales_channel,
        message_id,
        occurred_at,
        conversion_type,
        order_id,
        revenue,
        currency,
        revenue_eur,
        session_id,
        device_key
    from conversion_events
),

online_ranked as (
    -- an order id sent twice (a retried checkout page) counts once
    select
        *,
        row_number() over (
            partition by
                sales_channel,
                conversion_type,
                coalesce(order_id, message_id)
            order by occurred_at, message_id
        ) as receipt_rank
    from online_events
),

online as (
    select
        online_ranked.conversion_type,
        online_ranked.sales_channel,
        online_ranked.occurred_at as converted_at,
        online_ranked.order_id,
        online_ranked.message_id as source_record_id,
        record_persons.person_id,
        online_ranked.session_id,
        online_ranked.device_key,
        cast(null as {{ dbt.type_string() }}) as store_id,
        case
            when online_ranked.conversion_type = 'purchase'
                then online_ranked.revenue
            else 0
        end as revenue_local,
        online_ranked.currency,
        case
            when online_ranked.conversion_type = 'purchase'
                then online_ranked.revenue_eur
            else 0
        end as revenue_eur
    from online_ranked
    left join record_persons
        on
            record_persons.record_type = online_ranked.sales_channel || '_event'
            and online_ranked.message_id = record_persons.record_id
    where online_ranked.receipt_rank = 1
),

store as (
    -- an erased person's sale keeps its revenue but no person (the graph
    -- no longer holds their card or email)
    select
        case when is_return then 'return' else 'purchase' end
            as conversion_type,
        'store' as sales_channel,
        occurred_at as converted_at,
        transaction_id as order_id,
        transaction_id as source_record_id,
        person_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as device_key,
        store_id,
        total_amount as revenue_local,
        currency,
        total_amount_eur as revenue_eur
    from store_sales
),

unioned as (
    select * from online
    union all
    select * from store
),

numbered as (
    select
        *,
        case
            when conversion_type = 'purchase' and person_id is not null
                then cast(row_number() over (
                    partition by
                        person_id,
                        conversion_type = 'purchase' and person_id is not null
                    order by converted_at, sales_channel, source_record_id
                ) as bigint)
        end as purchase_number
    from unioned
),

final as (
    select
        {{ surrogate_key(['conversion_type', 'sales_channel',
                          'source_record_id']) }} as conversion_id,
        person_id,
        converted_at,
        conversion_type,
        sales_channel,
        order_id,
        source_record_id,
        revenue_eur,
        revenue_local,
        currency,
        case
            when conversion_type = 'purchase' and person_id is not null
                then purchase_number = 1
        end as is_first_purchase,
        purchase_number,
        session_id,
        device_key,
        store_id
    from numbered
)

{{ rows_that_changed('final', 'conversion_id', 'changed_at') }}
