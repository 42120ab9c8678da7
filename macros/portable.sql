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

{% macro sql_string(text) -%}
    {#- A string literal of a text; dispatched (a quote is doubled on DuckDB,
        spelled chr(39) on Spark: macro spark_string). -#}
    {{ return(adapter.dispatch('sql_string', 'customer_journey')(text)) }}
{%- endmacro %}

{% macro default__sql_string(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__sql_string(text) -%}
    {{ return(spark_string(text)) }}
{%- endmacro %}

{% macro star_except(relation, excluded) -%}
    {#- Every column of a relation but the excluded ones, listed at run time
        in the relation's order (DuckDB's `* exclude`, which Spark lacks);
        `*` while parsing, and for a relation not built yet (sqlfluff
        compiles the project on an empty database). -#}
    {%- if not execute -%}{{ return('*') }}{%- endif -%}
    {%- set kept = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation)
        if column.name not in excluded -%}
        {%- do kept.append(adapter.quote(column.name)) -%}
    {%- endfor -%}
    {{ return(kept | join(', ') if kept else '*') }}
{%- endmacro %}

{% macro existing_relation(relation) -%}
    {#- The relation as the database holds it now, or none; dispatched. -#}
    {{ return(adapter.dispatch('existing_relation', 'customer_journey')(relation)) }}
{%- endmacro %}

{% macro default__existing_relation(relation) -%}
    {{ return(adapter.get_relation(
        database=relation.database, schema=relation.schema,
        identifier=relation.identifier
    )) }}
{%- endmacro %}

{% macro spark__existing_relation(relation) -%}
    {#- Spark: asked of the metastore, not of dbt's cache, which missed a
        table the same run made in a schema it made (the landing inventory,
        on a first build). -#}
    {%- if not run_query(
        'show databases like ' ~ spark_string(relation.schema)
    ).rows -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if run_query(
        'show tables in ' ~ relation.schema ~ ' like '
        ~ spark_string(relation.identifier)
    ).rows -%}
        {{ return(api.Relation.create(
            schema=relation.schema, identifier=relation.identifier
        )) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro list_elements(relation, list_column, columns, position_alias, element_alias) -%}
    {#- A select of `columns` of `relation` with one row per element of its
        list column: the element as `element_alias`, its position from 1 as
        `position_alias`; a row with an empty or null list has none;
        dispatched. -#}
    {{ return(adapter.dispatch('list_elements', 'customer_journey')(
        relation, list_column, columns, position_alias, element_alias
    )) }}
{%- endmacro %}

{% macro default__list_elements(relation, list_column, columns, position_alias, element_alias) -%}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        generate_subscripts({{ list_column }}, 1) as {{ position_alias }},
        unnest({{ list_column }}) as {{ element_alias }}
    from {{ relation }}
    where len({{ list_column }}) > 0
{%- endmacro %}

{% macro spark__list_elements(relation, list_column, columns, position_alias, element_alias) -%}
    select
        {%- for column in columns %}
        listed.{{ column }},
        {%- endfor %}
        elements.position + 1 as {{ position_alias }},
        elements.element as {{ element_alias }}
    from {{ relation }} as listed
    lateral view posexplode(listed.{{ list_column }}) elements as position, element
{%- endmacro %}

{% macro list_length(list_column) -%}
    {#- The number of elements of a list, null for a null list;
        dispatched. -#}
    {{ return(adapter.dispatch('list_length', 'customer_journey')(list_column)) }}
{%- endmacro %}

{% macro default__list_length(list_column) -%}
    len({{ list_column }})
{%- endmacro %}

{% macro spark__list_length(list_column) -%}
    {#- Spark's size() is -1 for a null array (ANSI mode off) -#}
    case when {{ list_column }} is not null then size({{ list_column }}) end
{%- endmacro %}
