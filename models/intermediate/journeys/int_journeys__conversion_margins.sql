-- One row per conversion with its cost of goods and gross margin in EUR.
-- A purchase or return costs the sum of its lines' costs (a return's
-- negative quantities give the cost back); a line without a known cost
-- leaves the whole conversion's cost and margin unknown (null), never a
-- margin of 100%. A sign-up sells no goods: cost 0.
--
-- Computed whole, written by what changed (macro rows_that_changed):
-- fct_conversions copies the conversions whose margin changed since.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='conversion_id',
    meta={'key_only_column': 'product_lines', 'tests_last_load': 'changed_at'},
    on_schema_change='fail',
) }}

with

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
),

conversion_lines as (
    select * from {{ ref('int_journeys__conversion_lines') }}
),

costs as (
    select
        conversion_id,
        count(*) as product_lines,
        count(cost_issue) as lines_without_cost,
        sum(cost_eur) as cost_eur
    from conversion_lines
    group by conversion_id
),

costed as (
    select
        conversions.conversion_id,
        conversions.revenue_eur,
        coalesce(costs.product_lines, 0) as product_lines,
        coalesce(costs.lines_without_cost, 0) as lines_without_cost,
        case
            when conversions.conversion_type not in ('purchase', 'return')
                then cast(0 as decimal(18, 2))
            when costs.lines_without_cost = 0
                then cast(costs.cost_eur as decimal(18, 2))
        end as cost_of_goods_eur
    from conversions
    left join costs on conversions.conversion_id = costs.conversion_id
),

final as (
    select
        conversion_id,
        product_lines,
        lines_without_cost,
        cost_of_goods_eur,
        cast(revenue_eur - cost_of_goods_eur as decimal(18, 2))
            as gross_margin_eur
    from costed
)

{{ rows_that_changed('final', 'conversion_id', 'changed_at') }}
