-- Stages are monotone per person: a person who reached a stage reached
-- every earlier one, never later than it, and dim_persons.current_stage is
-- their latest. Returns the offending persons. A daily build checks the
-- persons whose stages or profile it wrote (macro tested_since): every
-- other person's rows are as a build that passed checked them.
{%- set transitions_since = tested_since(ref('fct_stage_transitions')) %}
{%- set persons_since = tested_since(ref('dim_persons')) %}
{%- set scoped = transitions_since is not none and persons_since is not none %}
with

{% if scoped -%}
    written as (
        select written_transitions.person_id
        from {{ ref('fct_stage_transitions') }} as written_transitions
        where written_transitions.{{ transitions_since }}
        union
        select written_persons.person_id
        from {{ ref('dim_persons') }} as written_persons
        where written_persons.{{ persons_since }}
    ),

{% endif -%}

transitions as (
    select * from {{ ref('fct_stage_transitions') }}
    {%- if scoped %}
        where person_id in (select written.person_id from written)
    {%- endif %}
),

persons as (
    select * from {{ ref('dim_persons') }}
),

checked as (
    select
        person_id,
        stage,
        stage_order,
        entered_at,
        lag(entered_at) over (
            partition by person_id order by stage_order
        ) as previous_entered_at,
        row_number() over (
            partition by person_id order by stage_order
        ) as stage_position,
        max(stage_order) over (partition by person_id) as top_order
    from transitions
),

final as (
    select
        checked.person_id,
        checked.stage
    from checked
    where
        checked.stage_position <> checked.stage_order
        or checked.previous_entered_at > checked.entered_at
    union all
    select
        checked.person_id,
        checked.stage
    from checked
    inner join persons on checked.person_id = persons.person_id
    where
        checked.stage_order = checked.top_order
        and persons.current_stage is distinct from checked.stage
)

select * from final
