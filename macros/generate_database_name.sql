{#- On DuckDB the served relations (macro is_served) are built in a file of
    their own, attached as served_database() (profiles.yml: the build's
    <JOURNEY_DUCKDB_PATH>.next, the read-only target's served file), so that
    publishing is a checkpoint and a byte copy of that file (README, Daily
    operation). Every other relation stays in the build file. Other engines
    keep dbt's default. -#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- if target.type == 'duckdb' and node is not none and is_served(node) -%}
        {{ served_database() }}
    {%- else -%}
        {{ default__generate_database_name(custom_database_name, node) }}
    {%- endif -%}
{%- endmacro %}

{% macro served_database() -%}
    {#- The catalog name the served relations are built in and read from. -#}
    {{ return('journey_served') }}
{%- endmacro %}

{% macro is_served(node) -%}
    {#- Whether the served file holds a node: the models and seeds of
        var('served_schemas') (the contract's marts and reference), and the
        history no landing file gives again (snapshots, and models whose
        config meta sets keeps_history), so that a build whose working file
        was lost carries on from the served one. Decided on the node's
        configuration: its schema is not resolved yet when dbt names its
        database. -#}
    {%- if node.resource_type not in ('model', 'seed', 'snapshot') -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set config = node.config -%}
    {{ return(
        node.resource_type == 'snapshot'
        or config.get('schema') in var('served_schemas')
        or config.get('meta', {}).get('keeps_history', false)
    ) }}
{%- endmacro %}
