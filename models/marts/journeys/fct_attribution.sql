-- One row per conversion, touch of its journey and attribution model, with
-- the touch's share of the conversion (credit; the credits of a conversion
-- sum to 1 in every model) and of its revenue. Conversions without a touch
-- are not attributed. Each row carries the credited touch's channel group and
-- partner (int_journeys__touchpoints).
--   first_touch / last_touch: all to the first / last touch.
--   last_non_direct: all to the last touch not through Direct; when every
--     touch is Direct, to the last non-direct session within
--     last_non_direct_lookback_days of the last touch (fct_sessions), which
--     can lie before the journey; else to the last touch.
--   linear: evenly.
--   time_decay: weight 2^(-age / time_decay_half_life_days), normalised.
--   position_based: 40% first, 40% last, 20% evenly in between; 50/50 for
--     two touches, 100% for one.
--   markov, shapley: the step credits of int_attribution__path_credits,
--     split evenly over the touches of the step's run.
-- The heuristic credits come from int_attribution__heuristic_credits, the
-- data-driven ones from int_attribution__data_driven_credits.
--
-- Incremental by row (replace_keys on conversion, touch and model): a build
-- copies the heuristic rows int_attribution__heuristic_credits wrote since
-- the latest marker this table holds (changed_at, kept) and deletes the ones
-- it replaced; the last reader of its `__replaced` companion, it empties it
-- (after the commit: it lives in the build file, this table in the served
-- one). The data-driven rows are replaced whole (a pre-hook deletes them):
-- a day's journeys move nearly all of them; replace_keys deletes only the
-- heuristic keys (meta deleted_keys_where).
{%- set heuristic_models = heuristic_attribution_models() %}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['conversion_id', 'touchpoint_id', 'attribution_model'],
    meta={
        'key_only_column': 'credit',
        'tests_last_load': 'changed_at',
        'deleted_keys_where': "attribution_model in ('"
        ~ heuristic_models | join("', '") ~ "')",
    },
    on_schema_change='fail',
    pre_hook="{{ delete_data_driven_credits() }}",
    post_hook=outside_transaction("{{ prune_replaced_rows(
        ref('int_attribution__heuristic_credits'),
        read_through([[this, 'changed_at']])
    ) }}"),
) }}
{%- set keys = ['conversion_id', 'touchpoint_id', 'attribution_model'] %}

with

heuristic as (
    select * from {{ ref('int_attribution__heuristic_credits') }}
    {{ where_written_since('changed_at') }}
),

data_driven as (
    select * from {{ ref('int_attribution__data_driven_credits') }}
),

final as (
    select
        conversion_id,
        touchpoint_id,
        attribution_model,
        credit,
        revenue_eur,
        channel_group,
        partner_id,
        changed_at
    from heuristic
    union all
    select
        conversion_id,
        touchpoint_id,
        attribution_model,
        credit,
        revenue_eur,
        channel_group,
        partner_id,
        {{ loaded_at() }} as changed_at
    from data_driven
)

select * from final
{{ key_only_rows_of_replaced(
    ref('int_attribution__heuristic_credits'), keys, 'changed_at'
) }}
