{#- One rule for every source: how an amount becomes EUR, and which
    timestamps can be true. -#}

{% macro eur_per_unit(currency, rate) -%}
    {#- The rate of a currency on a day; the reporting currency (EUR) is 1 on
        every date, whatever the rates seed covers. -#}
    case when {{ currency }} = 'EUR' then cast(1 as decimal(18, 6)) else {{ rate }} end
{%- endmacro %}

{% macro rate_on_day(rates, currency, day) -%}
    {#- The join condition that picks, from the currency_rates seed (aliased
        `rates`), the rate of `currency` valid on the day of `day` (a date
        or a timestamp): one rule for every amount converted to EUR. -#}
    {{ currency }} = {{ rates }}.currency
    and cast({{ day }} as date)
    between {{ rates }}.valid_from and {{ rates }}.valid_to
{%- endmacro %}

{% macro to_eur(amount, currency, rate) -%}
    cast({{ amount }} * {{ eur_per_unit(currency, rate) }} as decimal(18, 2))
{%- endmacro %}

{% macro arrived_too_late(occurred_at, received_at, received_day) -%}
    {#- True for an event the collector received more than the var
        event_max_delay_days after its timestamp (its receivedAt, or the
        file's received day when receivedAt is missing). It depends on the
        event alone, so a full build and a daily one quarantine the same
        events; and no daily build has to look further back than this. -#}
    ({{ occurred_at }} < {{ dbt.dateadd(
        'day',
        -1 * var('event_max_delay_days'),
        'coalesce(' ~ received_at ~ ', cast(' ~ received_day ~ ' as timestamp))'
    ) }})
{%- endmacro %}

{% macro implausible_time_reason(ts, label) -%}
    {#- A quarantine reason for a time no record can truly have: before the
        var earliest_valid_date (a long history is legitimate), or after the
        build's day plus the var future_tolerance_days; null otherwise. -#}
    case
        when {{ ts }} < cast('{{ var("earliest_valid_date") }}' as date)
            then '{{ label }} before {{ var("earliest_valid_date") }} (var earliest_valid_date)'
        when {{ ts }} >= cast('{{ run_started_at.strftime("%Y-%m-%d") }}' as date)
            + {{ var("future_tolerance_days") + 1 }}
            then '{{ label }} after the build day + {{ var("future_tolerance_days") }} days (var future_tolerance_days)'
    end
{%- endmacro %}
