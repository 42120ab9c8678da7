-- Every row of the other-costs files, typed and converted to EUR at the rate
-- of the month's first day, with its status. The same cost (month, channel
-- group, partner, type and description) in a later file supersedes the
-- earlier file's row: a re-exported month replaces the earlier export.
{{ config(materialized='table') }}

with

source as (
    {{ csv_by_header(
        source('costs', 'other_costs'),
        ['month', 'channel_group', 'amount', 'currency']
    ) }}
),

rates as (
    select * from {{ ref('currency_rates') }}
),

typed as (
    select
        source.filename as source_file,
        source.layout_reason,
        {{ surrogate_key([
            landing_path('source.filename'), 'source.month',
            'source.channel_group', 'source.partner_id', 'source.cost_type',
            'source.amount', 'source.currency', 'source.description'
        ]) }} as row_hash,
        case
            when {{ regex_full_match(
                'trim(source.month)', '[0-9]{4}-[0-9]{2}'
            ) }}
                then try_cast(trim(source.month) || '-01' as date)
        end as cost_month,
        nullif(trim(source.channel_group), '') as channel_group,
        lower(nullif(trim(source.partner_id), '')) as partner_id,
        lower(nullif(trim(source.cost_type), '')) as cost_type,
        {{ parse_amount('source.amount') }} as amount,
        upper(nullif(trim(source.currency), '')) as currency,
        nullif(trim(source.description), '') as description
    from source
),

converted as (
    select
        typed.*,
        {{ eur_per_unit('typed.currency', 'rates.eur_per_unit') }}
            as eur_per_unit
    from typed
    left join rates
        on {{ rate_on_day('rates', 'typed.currency', 'typed.cost_month') }}
),

checked as (
    select
        *,
        case
            when layout_reason is not null then layout_reason
            when cost_month is null then 'unparseable month (YYYY-MM)'
            when
                {{ implausible_time_reason('cost_month', 'month') }}
                is not null
                then {{ implausible_time_reason('cost_month', 'month') }}
            when
                channel_group is null
                or channel_group not in (
                    {%- for group in channel_group_names() %}
                        '{{ group }}'{{ "," if not loop.last }}
                    {%- endfor %}
                )
                then 'channel_group not a GA4 default channel group'
            when amount is null then 'unparseable amount'
            when eur_per_unit is null
                then 'no EUR rate for the currency and month'
        end as quarantine_reason
    from converted
),

final as (
    select
        *,
        {{ to_eur('amount', 'currency', 'eur_per_unit') }} as amount_eur,
        quarantine_reason is null and dense_rank() over (
            partition by
                cost_month,
                channel_group,
                partner_id,
                cost_type,
                description,
                quarantine_reason is null
            order by source_file desc
        ) > 1 as is_duplicate
    from checked
)

select * from final
