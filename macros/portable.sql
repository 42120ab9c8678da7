{#- SQL that DuckDB and Spark spell differently, dispatched by engine
    (issue #15). A pattern is a regular expression written as it is (Spark's
    session sets spark.sql.parser.escapedStringLiterals, so that a backslash
    in a literal stays a backslash on both engines). -#}

{% macro regex_full_match(expr, pattern) -%}
    {#- Whether the whole of expr matches pattern. -#}
    {{ return(adapter.dispatch('regex_full_match', 'customer_journey')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_full_match(expr, pattern) -%}
    ({{ expr }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro regex_contains(expr, pattern) -%}
    {#- Whether pattern matches somewhere in expr. -#}
    {{ return(adapter.dispatch('regex_contains', 'customer_journey')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_contains(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro regex_replace_all(expr, pattern, replacement) -%}
    {#- Every match of pattern in expr replaced; `\1` in the replacement is
        the first group. -#}
    {{ return(adapter.dispatch('regex_replace_all', 'customer_journey')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
    {#- Java spells a group $1; Spark replaces every match. -#}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ modules.re.sub("\\\\(\\d)", "$\\1", replacement) }}')
{%- endmacro %}
