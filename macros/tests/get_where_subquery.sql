{#- The relation a generic data test checks. dbt's own `where` config, and
    one rule of this project's: a model whose config meta sets
    `tests_last_load` (the tables read once per file: a row never changes
    once written, bar an erasure's clearing, and their keys hold the file)
    has its data tests check, in an incremental `dbt build`, only the rows
    the last build loaded (`loaded_at`, the build's start). Every row was
    checked by the build that loaded it; `dbt build --full-refresh` and
    `dbt test` check them all. This is the override dbt's documentation
    gives for templated test filters. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if tests_last_load_only(relation) -%}
        {%- do conditions.append(
            'loaded_at = (select max(loaded_at) from ' ~ relation ~ ')'
        ) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro tests_last_load_only(relation) -%}
    {#- Whether a test of `relation` checks only the last load's rows (macro
        get_where_subquery): in an incremental `dbt build` of a model whose
        config meta sets tests_last_load. -#}
    {%- if not execute or flags.WHICH != 'build' or flags.FULL_REFRESH -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.alias == relation.identifier
        and node.schema == relation.schema -%}
        {{ return(node.config.get('meta', {}).get('tests_last_load', false)) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
