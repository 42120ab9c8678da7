-- Every conversion with a touch has credits under every model, and in each
-- model they sum to 1 and are between 0 and 1. Returns the offending rows.
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

expected as (
    select
        journeys.conversion_id,
        models.attribution_model
    from journeys
    cross join models
    where journeys.is_converting and journeys.touchpoints > 0
),

sums as (
    select
        conversion_id,
        attribution_model,
        sum(credit) as total_credit,
        min(credit) as min_credit,
        max(credit) as max_credit
    from attribution
    group by conversion_id, attribution_model
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
