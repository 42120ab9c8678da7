-- The conversions of int_journeys__conversions, as BI tools read them, with
-- their cost of goods and gross margin (int_journeys__conversion_margins).
--
-- Incremental by conversion (replace_keys): a build copies the conversions
-- int_journeys__conversions or int_journeys__conversion_margins wrote since
-- the latest marker this table holds (changed_at, the later of the two) and
-- deletes the ones replaced; the last reader of the conversions'
-- `__replaced` companion, it empties it after int_journeys__person_changes
-- has read it too (after the commit: the companion lives in the build
-- file, this table in the served one).
-- depends_on: {{ ref('int_journeys__person_changes') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='conversion_id',
    meta={'key_only_column': 'converted_at', 'tests_last_load': 'changed_at'},
    on_schema_change='fail',
    post_hook=outside_transaction("{{ prune_replaced_rows(
        ref('int_journeys__conversions'),
        read_through([
            [ref('int_journeys__person_changes'), 'changed_at'],
            [this, 'changed_at']
        ])
    ) }}"),
) }}

with

margins as (
    select * from {{ ref('int_journeys__conversion_margins') }}
),

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
    {%- if is_incremental() %}
        where
            changed_at > {{ incremental_watermark('changed_at') }}
            or conversion_id in (
                select margins.conversion_id
                from margins
                where
                    margins.changed_at
                    > {{ incremental_watermark('changed_at') }}
            )
    {%- endif %}
),

final as (
    select
        conversions.conversion_id,
        conversions.person_id,
        conversions.converted_at,
        conversions.conversion_type,
        conversions.sales_channel,
        conversions.order_id,
        conversions.revenue_eur,
        conversions.revenue_local,
        conversions.currency,
        conversions.is_first_purchase,
        conversions.purchase_number,
        conversions.session_id,
        conversions.device_key,
        conversions.store_id,
        margins.cost_of_goods_eur,
        margins.gross_margin_eur,
        greatest(conversions.changed_at, margins.changed_at) as changed_at
    from conversions
    left join margins on conversions.conversion_id = margins.conversion_id
)

select * from final
{{ key_only_rows_of_replaced(
    ref('int_journeys__conversions'), 'conversion_id', 'changed_at'
) }}
