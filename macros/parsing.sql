{#- Parsing helpers for raw text: URLs, timestamps, amounts. -#}

{% macro url_param(url, name) -%}
    {#- Value of one query-string parameter, URL-decoded; null if absent or
        undecodable (a malformed escape such as %% is not an error). The
        regular expression runs only on a URL that names the parameter. -#}
    case when {{ dbt.position("'" ~ name ~ "='", url) }} > 0 then nullif(
        {{ url_decode_safe(
            "regexp_extract(" ~ url ~ ", '[?&]" ~ name ~ "=([^&#]*)', 1)"
        ) }},
        ''
    ) end
{%- endmacro %}

{% macro url_decode_safe(expr) -%}
    {{ return(adapter.dispatch('url_decode_safe', 'customer_journey')(expr)) }}
{%- endmacro %}

{% macro default__url_decode_safe(expr) -%}
    {#- Spark: Java's decoder, with a plus kept (DuckDB's url_decode keeps
        it) and the text as it was when an escape is malformed. -#}
    coalesce(
        try_reflect(
            'java.net.URLDecoder', 'decode', replace({{ expr }}, '+', '%2B'), 'UTF-8'
        ),
        {{ expr }}
    )
{%- endmacro %}

{% macro duckdb__url_decode_safe(expr) -%}
    try(url_decode({{ expr }}))
{%- endmacro %}

{% macro strip_url_param(url, name) -%}
    {#- The URL without one parameter (used to drop raw subscriber ids). -#}
    trim(trailing '?&' from
        case when {{ dbt.position("'" ~ name ~ "='", url) }} > 0
            then {{ regex_replace_all(url, '([?&])' ~ name ~ '=[^&#]*&?', '\\1') }}
            else {{ url }}
        end
    )
{%- endmacro %}

{% macro url_host(url) -%}
    nullif(regexp_extract({{ url }}, '^[a-zA-Z]+://([^/?#:]+)', 1), '')
{%- endmacro %}

{% macro is_malformed_url(url) -%}
    {#- No scheme and host, white space, or a % not starting a %XX escape. -#}
    (
        {{ url }} is not null
        and (
            {{ url_host(url) }} is null
            or {{ regex_contains(url, '\\s') }}
            or (
                {{ dbt.position("'%'", url) }} > 0
                and {{ regex_contains(
                    url, '%([^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|[0-9A-Fa-f]?$)'
                ) }}
            )
        )
    )
{%- endmacro %}

{% macro parse_timestamp(expr) -%}
    {#- ISO-8601 text to a UTC timestamp without time zone; null if unparseable. -#}
    {{ return(adapter.dispatch('parse_timestamp', 'customer_journey')(expr)) }}
{%- endmacro %}

{% macro default__parse_timestamp(expr) -%}
    to_timestamp({{ expr }})
{%- endmacro %}

{% macro duckdb__parse_timestamp(expr) -%}
    cast(timezone('UTC', try_cast({{ expr }} as timestamptz)) as timestamp)
{%- endmacro %}

{% macro local_to_utc(local_ts, timezone) -%}
    {#- A wall-clock time in an IANA zone to UTC. -#}
    {{ return(adapter.dispatch('local_to_utc', 'customer_journey')(local_ts, timezone)) }}
{%- endmacro %}

{% macro default__local_to_utc(local_ts, timezone) -%}
    to_utc_timestamp({{ local_ts }}, {{ timezone }})
{%- endmacro %}

{% macro duckdb__local_to_utc(local_ts, timezone) -%}
    cast(timezone('UTC', timezone({{ timezone }}, {{ local_ts }})) as timestamp)
{%- endmacro %}

{% macro local_time_issue(local_ts, timezone) -%}
    {#- Whether a wall-clock time exists once in its zone: 'nonexistent' in a
        spring-forward gap (local_to_utc moves it on by the gap: 02:30 on the
        last Sunday of March in Paris is 01:30 UTC, 03:30 local),
        'ambiguous' in a fall-back overlap (local_to_utc takes the later,
        standard-time instant), else null. Shifts of one hour. -#}
    {{ return(adapter.dispatch('local_time_issue', 'customer_journey')(local_ts, timezone)) }}
{%- endmacro %}

{% macro default__local_time_issue(local_ts, timezone) -%}
    case
        when from_utc_timestamp(
            to_utc_timestamp({{ local_ts }}, {{ timezone }}), {{ timezone }}
        ) <> {{ local_ts }} then 'nonexistent'
        when from_utc_timestamp(
            to_utc_timestamp({{ local_ts }}, {{ timezone }})
            - interval 1 hour, {{ timezone }}
        ) = {{ local_ts }}
        or from_utc_timestamp(
            to_utc_timestamp({{ local_ts }}, {{ timezone }})
            + interval 1 hour, {{ timezone }}
        ) = {{ local_ts }} then 'ambiguous'
    end
{%- endmacro %}

{% macro duckdb__local_time_issue(local_ts, timezone) -%}
    {%- set utc = duckdb__local_to_utc(local_ts, timezone) -%}
    case
        when cast(timezone({{ timezone }}, timezone('UTC', {{ utc }})) as timestamp)
            <> {{ local_ts }} then 'nonexistent'
        when cast(timezone(
            {{ timezone }}, timezone('UTC', {{ utc }} - interval 1 hour)
        ) as timestamp) = {{ local_ts }}
        or cast(timezone(
            {{ timezone }}, timezone('UTC', {{ utc }} + interval 1 hour)
        ) as timestamp) = {{ local_ts }} then 'ambiguous'
    end
{%- endmacro %}

{% macro parse_amount(expr) -%}
    {#- Decimal text with a point; anything else (12,OO) is null. -#}
    try_cast(
        case when {{ regex_full_match('trim(' ~ expr ~ ')', '-?[0-9]+(\\.[0-9]+)?') }}
            then trim({{ expr }}) end
        as decimal(18, 4)
    )
{%- endmacro %}

{% macro parse_boolean(expr) -%}
    case
        when lower(trim({{ expr }})) in ('true', 't', 'yes', 'y', '1') then true
        when lower(trim({{ expr }})) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}
