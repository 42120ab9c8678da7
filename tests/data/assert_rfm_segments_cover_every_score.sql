-- The rfm_segments seed covers all 25 (R, FM) score pairs, so every
-- customer gets a segment, and every customer of mart_customer_rfm is in
-- exactly one segment (the first match). Returns the uncovered pairs and
-- the customers without exactly one row.
{%- set text = dbt.type_string() %}
with

segments as (
    select * from {{ ref('rfm_segments') }}
),

customers as (
    select * from {{ ref('mart_customer_rfm') }}
),

scores as (
    {% for s in range(1, 6) %}
        select {{ s }} as score
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

pairs as (
    select
        r.score as r_score,
        fm.score as fm_score
    from scores as r
    cross join scores as fm
),

uncovered as (
    select
        pairs.r_score,
        pairs.fm_score,
        'no segment for this score pair' as problem
    from pairs
    left join segments
        on
            pairs.r_score between segments.r_min and segments.r_max
            and pairs.fm_score between segments.fm_min and segments.fm_max
    where segments.segment is null
),

customer_rows as (
    select
        person_id,
        count(*) as segment_rows
    from customers
    group by person_id
),

final as (
    select * from uncovered
    union all
    select
        null as r_score,
        null as fm_score,
        'customer in ' || cast(segment_rows as {{ text }}) || ' segments'
            as problem
    from customer_rows
    where segment_rows <> 1
)

select * from final
