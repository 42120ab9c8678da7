{#- The relation a generic data test checks. dbt's own `where` config, and
    one rule of this project's: a model whose config meta sets
    `tests_last_load` has its data tests check, in an incremental
    `dbt build`, only the rows written since the last build whose data
    tests all ran and passed (the build log, macro last_logged_build): those
    whose marker column (`loaded_at`, or the column the meta names) is later
    than that build's start. The rows of this build, and of any build since
    that failed, are checked; a table this build did not write costs
    nothing. For the tables read once per file (a row never changes once
    written, bar an erasure's clearing, and their keys hold the file), and
    for the incremental models that write every row of a key together
    (replace_keys): a key's rows are checked together whenever it is
    written. Every row was checked by a build that passed;
    `dbt build --full-refresh` and `dbt test` check them all. This is the
    override dbt's documentation gives for templated test filters. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set marker = tests_last_load_only(relation) -%}
    {%- if marker -%}
        {%- do conditions.append(
            marker ~ ' > ' ~ last_logged_build('tests_checked')
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
    {#- The marker column by which a test of `relation` checks only the last
        build's rows (macro get_where_subquery), or false: in an incremental
        `dbt build` of a model whose config meta sets tests_last_load (true
        for `loaded_at`, or the column's name). -#}
    {%- if not execute or flags.WHICH != 'build' or flags.FULL_REFRESH -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.alias == relation.identifier
        and node.schema == relation.schema -%}
        {%- set marker = node.config.get('meta', {}).get('tests_last_load', false) -%}
        {{ return('loaded_at' if marker is sameas true else marker) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
