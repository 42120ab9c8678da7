{#- The relation a generic data test checks. dbt's own `where` config, and
    one rule of this project's: a model whose config meta sets
    `tests_last_load` has its data tests check, in an incremental
    `dbt build`, only what was written since the last build whose data
    tests all ran and passed (the build log, macro last_logged_build): the
    rows whose marker column (`loaded_at`, or the column the meta names) is
    later than that build's start. The rows of this build, and of any build
    since that failed, are checked; a table this build did not write costs
    nothing. For the tables read once per file (a row never changes once
    written, bar an erasure's clearing, and their keys hold the file), and
    for the incremental models that write every row of a key together
    (replace_keys): a key's rows are checked together whenever it is
    written. A view computes its rows when read, so the rule is narrower
    there (macro last_load_view_subquery): its uniqueness tests check every
    row of the keys written since, its other one-row tests the rows written
    since, and a test that reads another relation every row. Every row was
    checked by a build that passed; `dbt build --full-refresh` and
    `dbt test` check them all. This is the override dbt's documentation
    gives for templated test filters. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- set marker = tests_last_load_only(relation) -%}
    {%- if marker and marker.is_view -%}
        {{ return(last_load_view_subquery(relation, marker.column, where)) }}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if marker -%}
        {%- do conditions.append(
            marker.column ~ ' > ' ~ last_logged_build('tests_checked')
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

{% macro last_load_view_subquery(relation, marker, where) -%}
    {#- get_where_subquery for a view with `tests_last_load`, by the kind of
        the generic test being compiled (`model` is the test node):
        - unique, unique_combination: every row of the keys that rows written
          since hold (a key written again may meet a row of an earlier load);
        - the tests that check each row on its own (not_null,
          not_null_columns, accepted_values, sha256_hex_columns): the rows
          written since;
        - any other test (one that reads another relation, whose rows may
          have changed since): every row. -#}
    {%- set test = (model.get('test_metadata') if model is mapping else none) or {} -%}
    {%- set kwargs = test.get('kwargs', {}) -%}
    {%- set since = marker ~ ' > ' ~ last_logged_build('tests_checked') -%}
    {%- set where_all = ' where (' ~ where ~ ')' if where else '' -%}
    {%- if test.get('name') in ('unique', 'unique_combination') -%}
        {%- set keys = [kwargs.column_name] if test.name == 'unique'
            else kwargs.columns -%}
        {%- set matches = [] -%}
        {%- for key in keys -%}
            {%- do matches.append(
                'all_rows.' ~ key ~ ' is not distinct from written.' ~ key
            ) -%}
        {%- endfor -%}
        {%- set filtered -%}
            (select all_rows.* from (select * from {{ relation }}{{ where_all }}) as all_rows inner join (select distinct {{ keys | join(', ') }} from {{ relation }} where {{ '(' ~ where ~ ') and ' if where else '' }}{{ since }}) as written on {{ matches | join(' and ') }}) dbt_subquery
        {%- endset -%}
    {%- elif test.get('name') in (
        'not_null', 'not_null_columns', 'accepted_values', 'sha256_hex_columns'
    ) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ '(' ~ where ~ ') and ' if where else '' }}{{ since }}) dbt_subquery
        {%- endset -%}
    {%- elif where -%}
        {%- set filtered -%}
            (select * from {{ relation }}{{ where_all }}) dbt_subquery
        {%- endset -%}
    {%- else -%}
        {%- set filtered = relation -%}
    {%- endif -%}
    {{ return(filtered) }}
{%- endmacro %}

{% macro tests_last_load_only(relation) -%}
    {#- Where a test of `relation` checks only what the last build wrote
        (macro get_where_subquery): in an incremental `dbt build` of a model
        whose config meta sets tests_last_load (true for `loaded_at`, or the
        column's name), a mapping of its marker column and whether the model
        is a view; else false. -#}
    {%- if not execute or flags.WHICH != 'build' or flags.FULL_REFRESH -%}
        {{ return(false) }}
    {%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.alias == relation.identifier
        and node.schema == relation.schema -%}
        {%- set marker = node.config.get('meta', {}).get('tests_last_load', false) -%}
        {%- if marker -%}
            {{ return({
                'column': 'loaded_at' if marker is sameas true else marker,
                'is_view': node.config.materialized == 'view',
            }) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{% macro tested_since(relation) -%}
    {#- For a singular data test that can check a table a key at a time: the
        condition on its rows that keeps those written since the last build
        whose data tests all ran and passed (`<marker> > <that build's
        start>`), in an incremental `dbt build` of a table whose config meta
        sets tests_last_load (macro tests_last_load_only); else none, and
        the test checks every row. -#}
    {%- set marker = tests_last_load_only(relation) -%}
    {%- if not marker or marker.is_view -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(marker.column ~ ' > ' ~ last_logged_build('tests_checked')) }}
{%- endmacro %}
