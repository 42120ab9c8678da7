-- Every conversion with a touch has credits under every model, and in each
-- model they sum to 1 and are between 0 and 1. Returns the offending rows.
-- A daily build checks the conversion and model pairs it wrote a credit of
-- (every row of theirs), the journeys it wrote, and every conversion under
-- a data-driven model it wrote the credits of (they are written whole, by
-- every build of fct_attribution; macro tested_since): every other pair's
-- rows are as a build that passed checked them.
{%- set credits_since = tested_since(ref('fct_attribution')) %}
{%- set journeys_since = tested_since(ref('fct_journeys')) %}
{%- set scoped = credits_since is not none and journeys_since is not none %}
with

journeys as (
    select * from {{ ref('fct_journeys') }}
),

attribution as (
    select * from {{ ref('fct_attribution') }}
),

models as (
    {% for model_name in attribution_models() %}
        select '{{ model_name }}' as attribution_model
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{% if scoped -%}
    written_pairs as (
        select distinct
            written.conversion_id,
            written.attribution_model
        from {{ ref('fct_attribution') }} as written
        where written.{{ credits_since }}
    ),

    checked_pairs as (
        -- the pairs with a credit written since, those of the journeys
        -- written since, and every conversion under a data-driven model
        -- whose credits were written since (they are written whole)
        select
            written_pairs.conversion_id,
            written_pairs.attribution_model
        from written_pairs
        union
        select
            journeys.conversion_id,
            models.attribution_model
        from journeys
        cross join models
        where
            journeys.{{ journeys_since }}
            or (
                models.attribution_model in (
                    '{{ data_driven_attribution_models() | join("', '") }}'
                )
                and models.attribution_model in (
                    select written_models.attribution_model
                    from written_pairs as written_models
                )
            )
    ),

{% endif -%}

expected as (
    select
        journeys.conversion_id,
        models.attribution_model
    from journeys
    cross join models
    {%- if scoped %}
        inner join checked_pairs
            on
                journeys.conversion_id = checked_pairs.conversion_id
                and models.attribution_model = checked_pairs.attribution_model
    {%- endif %}
    where journeys.is_converting and journeys.touchpoints > 0
),

sums as (
    select
        attribution.conversion_id,
        attribution.attribution_model,
        sum(attribution.credit) as total_credit,
        min(attribution.credit) as min_credit,
        max(attribution.credit) as max_credit
    from attribution
    {%- if scoped %}
        inner join checked_pairs
            on
                attribution.conversion_id = checked_pairs.conversion_id
                and attribution.attribution_model
                = checked_pairs.attribution_model
    {%- endif %}
    group by attribution.conversion_id, attribution.attribution_model
),

final as (
    select
        coalesce(expected.conversion_id, sums.conversion_id) as conversion_id,
        coalesce(expected.attribution_model, sums.attribution_model)
            as attribution_model,
        sums.total_credit,
        sums.min_credit,
        sums.max_credit
    from expected
    full outer join sums
        on
            expected.conversion_id = sums.conversion_id
            and expected.attribution_model = sums.attribution_model
    where
        expected.conversion_id is null
        or sums.conversion_id is null
        or abs(sums.total_credit - 1) > 1e-9
        or sums.min_credit < 0
        or sums.max_credit > 1 + 1e-9
)

select * from final
