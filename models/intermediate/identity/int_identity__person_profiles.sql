-- One row per resolved person with what the other models say about them:
-- the current lifecycle stage (the last one entered), the channel and
-- campaign of the first attributable touch, order figures (purchases net of
-- returns), and the marketing consent of the most recently updated CRM
-- record of the person.
--
-- Incremental, replace_keys by person: a profile depends on its person's
-- row, touchpoints, conversions, stages and CRM records alone, so a build
-- profiles again the persons summed up again since its latest marker
-- (int_identity__persons: a component labelled again), those whose
-- touchpoints, conversions or sessions changed (int_journeys__person_changes)
-- or whose stages were written again, and those whose consent a CRM record
-- written since changed (a daily snapshot writes again the current row of
-- every contact it lists: their consent is computed again and compared);
-- it removes the persons that no longer are (a key-only row).
-- tests_last_load: a daily build's data tests check the rows it wrote
-- (profiled_at).
-- depends_on: {{ ref('int_journeys__person_changes') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='person_id',
    meta={'key_only_column': 'profiled_at', 'tests_last_load': 'profiled_at'},
    on_schema_change='fail',
) }}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark('profiled_at') %}
{%- endif %}

with

{% if is_incremental() -%}
    written_contact_components as (
        -- the components holding a CRM record written since: a new snapshot
        -- writes again the current row of every contact it lists
        select distinct components.component_id
        from {{ ref('stg_crm__contacts') }} as contacts
        inner join {{ ref('int_identity__components') }} as components
            on
                components.identifier_type = 'contact_id'
                and contacts.contact_id_hash = components.identifier_hash
        where contacts.written_at > {{ watermark }}
    ),

    written_components as (
        select *
        from {{ ref('int_identity__components') }}
        where component_id in (
            select written_contact_components.component_id
            from written_contact_components
        )
    ),

    recomputed_consent as (
        -- their consent now
        {%- set staged_contacts = ref('stg_crm__contacts') %}
        {{ consent_by_component(staged_contacts, 'written_components') }}
    ),

    changed_persons as (
        select persons.person_id
        from {{ ref('int_identity__persons') }} as persons
        where persons.summarized_at > {{ watermark }}
        union
        select person_changes.person_id
        from {{ ref('int_journeys__person_changes') }} as person_changes
        where person_changes.changed_at > {{ watermark }}
        union
        select stage_transitions.person_id
        from {{ ref('int_stages__transitions') }} as stage_transitions
        where stage_transitions.refreshed_at > {{ watermark }}
        union
        -- the persons whose consent a CRM record written since changed
        select persons.person_id
        from recomputed_consent
        inner join {{ ref('int_identity__persons') }} as persons
            on recomputed_consent.component_id = persons.component_id
        left join {{ this }} as previous
            on persons.person_id = previous.person_id
        where
            recomputed_consent.recency_rank = 1
            and previous.has_marketing_consent
            is distinct from recomputed_consent.has_marketing_consent
    ),

{% endif -%}

persons as (
    select * from {{ ref('int_identity__persons') }}
    {%- if is_incremental() %}
        where person_id in (
            select changed_persons.person_id from changed_persons
        )
    {%- endif %}
),

components as (
    select * from {{ ref('int_identity__components') }}
    {%- if is_incremental() %}
        where component_id in (select persons.component_id from persons)
    {%- endif %}
),

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

touchpoints as (
    select * from {{ ref('int_journeys__touchpoints') }}
    {%- if is_incremental() %}
        where person_id in (select persons.person_id from persons)
    {%- endif %}
),

conversions as (
    select * from {{ ref('int_journeys__conversions') }}
    {%- if is_incremental() %}
        where person_id in (select persons.person_id from persons)
    {%- endif %}
),

stage_transitions as (
    select * from {{ ref('int_stages__transitions') }}
    {%- if is_incremental() %}
        where person_id in (select persons.person_id from persons)
    {%- endif %}
),

current_stages as (
    select
        person_id,
        stage,
        row_number() over (
            partition by person_id order by stage_order desc
        ) as stage_rank
    from stage_transitions
),

first_touches as (
    -- the channel of the person's first touch (the first session, email
    -- open or store visit)
    select
        person_id,
        channel_group,
        campaign,
        touched_at,
        row_number() over (
            partition by person_id order by touched_at, touchpoint_id
        ) as touch_rank
    from touchpoints
    where person_id is not null and is_attributable
),

orders as (
    select
        person_id,
        min(
            case when conversion_type = 'purchase' then converted_at end
        ) as first_order_at,
        max(
            case when conversion_type = 'purchase' then converted_at end
        ) as last_order_at,
        count(case when conversion_type = 'purchase' then 1 end)
            as orders_count,
        sum(revenue_eur) as revenue_eur
    from conversions
    where
        person_id is not null
        and conversion_type in ('purchase', 'return')
    group by person_id
),

consent as (
    -- the consent of the person's most recently updated CRM record
    {{ consent_by_component('contacts', 'components') }}
),

final as (
    select
        persons.person_id,
        persons.first_seen_at,
        persons.last_seen_at,
        persons.is_known,
        current_stages.stage as current_stage,
        first_touches.channel_group as acquisition_channel,
        first_touches.campaign as acquisition_campaign,
        first_touches.touched_at as first_touch_at,
        orders.first_order_at,
        orders.last_order_at,
        coalesce(orders.orders_count, 0) as orders_count,
        cast(coalesce(orders.revenue_eur, 0) as decimal(18, 2)) as revenue_eur,
        coalesce(consent.has_marketing_consent, false) as has_marketing_consent,
        persons.identifiers,
        persons.account_ids > 0 as has_account,
        persons.cookies_and_installs,
        persons.anchor_type,
        {{ loaded_at() }} as profiled_at
    from persons
    left join consent
        on
            persons.component_id = consent.component_id
            and consent.recency_rank = 1
    left join first_touches
        on
            persons.person_id = first_touches.person_id
            and first_touches.touch_rank = 1
    left join orders on persons.person_id = orders.person_id
    left join current_stages
        on
            persons.person_id = current_stages.person_id
            and current_stages.stage_rank = 1
)

select * from final
{%- if is_incremental() %}
    union all
    -- a person that no longer is: a key-only row deletes their profile
    select {{ key_only_rows({'person_id': 'previous.person_id'}) }}
    from {{ this }} as previous
    where previous.person_id not in (
        select persons.person_id
        from {{ ref('int_identity__persons') }} as persons
    )
{%- endif %}
