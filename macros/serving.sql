{#- Serving (CONTRACT.md, section 3) and the hash salt: dbt builds into
    <JOURNEY_DUCKDB_PATH>.build; the journey.serving dbt-duckdb plugin gives
    every cursor the salt as a variable and the publish function. -#}

{% macro hash_salt() -%}
    {{ return(adapter.dispatch('hash_salt', 'customer_journey')()) }}
{%- endmacro %}

{% macro default__hash_salt() -%}
    {#- Spark and other engines: a session setting, never a literal. -#}
    '${journey.hash_salt}'
{%- endmacro %}

{% macro duckdb__hash_salt() -%}
    {#- Set on every cursor by the journey.serving plugin from
        JOURNEY_HASH_SALT; the compiled SQL only names the variable. -#}
    getvariable('journey_hash_salt')
{%- endmacro %}

{% macro check_hash_salt() -%}
    {#- on-run-start: a profile without the journey.serving plugin would hash
        every identifier to null; stop with a clear message instead. -#}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set missing = run_query(
            "select getvariable('journey_hash_salt') is null"
        ).columns[0].values()[0] -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "The hash salt is not set on the connection: the profile's "
                ~ "duckdb output needs the journey.serving plugin "
                ~ "(see profiles.yml), which reads JOURNEY_HASH_SALT."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro publish_warehouse(results) -%}
    {#- on-run-end: once a build, run, seed or snapshot has passed, replace
        the served file whole (journey.serving.publish). A failure anywhere
        leaves the last good warehouse served. -#}
    {%- if execute and target.type == 'duckdb' and target.name != 'readonly'
        and flags.WHICH in ('build', 'run', 'seed', 'snapshot') -%}
        {%- set failed = results
            | selectattr('status', 'in', ['error', 'fail', 'runtime error'])
            | list -%}
        {%- if failed -%}
            {{ log(
                "Not published: " ~ failed | length ~ " node(s) failed; "
                ~ "the last good warehouse stays served.", info=true
            ) }}
        {%- else -%}
            {%- do run_query("force checkpoint") -%}
            {%- set served = run_query(
                "select journey_publish_warehouse()"
            ).columns[0].values()[0] -%}
            {{ log("Published the warehouse: " ~ served, info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
