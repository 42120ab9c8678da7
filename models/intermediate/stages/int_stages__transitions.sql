-- One row per person and lifecycle stage reached. A stage is reached at the
-- earliest of its signals (seed lifecycle_stage_rules; a signal that
-- requires a prior purchase counts only after the first one). Stages are
-- monotone: reaching a stage reaches every earlier one, so a stage's
-- entered_at is the earliest time the person reached it or any later stage;
-- a skipped stage (a store purchase with no consideration before it) is
-- entered at the same time as the next stage reached, and flagged.
--
-- Incremental a person at a time (replace_keys on person_id), like its
-- input int_stages__signals: a build computes again the stages of the
-- persons changed since its latest marker (int_journeys__person_changes).
-- tests_last_load: a daily build's data tests check the persons it wrote.
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'stage', 'tests_last_load': 'refreshed_at'},
    on_schema_change='fail',
) }}
{%- set person_changes = ref('int_journeys__person_changes') %}

with

signals as (
    select * from {{ ref('int_stages__signals') }}
    {{ of_changed_persons(person_changes) }}
),

rules as (
    select * from {{ ref('lifecycle_stage_rules') }}
),

first_purchases as (
    select
        person_id,
        min(occurred_at) as first_purchase_at
    from signals
    where signal_name = 'first_purchase'
    group by person_id
),

reached as (
    -- the raw time of each stage: its earliest qualifying signal
    select
        signals.person_id,
        rules.stage,
        min(signals.occurred_at) as reached_at
    from signals
    inner join rules on signals.signal_name = rules.signal_name
    left join first_purchases
        on signals.person_id = first_purchases.person_id
    where
        not rules.requires_prior_purchase
        or first_purchases.first_purchase_at < signals.occurred_at
    group by signals.person_id, rules.stage
),

reached_persons as (
    select distinct person_id
    from reached
),

stages as (
    select distinct
        stage,
        stage_order
    from rules
),

grid as (
    select
        persons.person_id,
        stages.stage,
        stages.stage_order,
        reached.reached_at
    from reached_persons as persons
    cross join stages
    left join reached
        on
            persons.person_id = reached.person_id
            and stages.stage = reached.stage
),

monotone as (
    select
        *,
        min(reached_at) over (
            partition by person_id
            order by stage_order desc
            rows between unbounded preceding and current row
        ) as entered_at
    from grid
),

final as (
    select
        person_id,
        stage,
        stage_order,
        entered_at,
        reached_at,
        reached_at is null or reached_at > entered_at as is_skipped,
        lag(stage) over (
            partition by person_id order by stage_order
        ) as previous_stage,
        {{ dbt.datediff(
            'lag(entered_at) over (partition by person_id order by stage_order)',
            'entered_at',
            'millisecond'
        ) }} / cast(3600000 as {{ type_double() }}) as hours_since_previous,
        {{ loaded_at() }} as refreshed_at
    from monotone
    where entered_at is not null
)

select * from final
{{ key_only_rows_of_changed_persons(person_changes) }}
