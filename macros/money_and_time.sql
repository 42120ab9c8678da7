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
