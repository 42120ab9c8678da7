{#- The build log: what each passed build of this warehouse did, kept in
    the build file (<JOURNEY_DUCKDB_PATH>.build, schema main) beside the
    incremental state. A build's data tests of the models that set
    tests_last_load check the rows written since the last build whose data
    tests all ran and passed (macro get_where_subquery), and the erasure in
    staging clears, in the tables a daily build keeps, the rows written since
    the last erasure and the rows holding an identifier erased since
    (macro erase_in_staging). -#}

{% macro build_log_relation() -%}
    {{ return(state_relation('journey_builds')) }}
{%- endmacro %}

{% macro state_relation(identifier) -%}
    {#- A table of the build's own state, in the target's schema (Spark has
        no database beside its schemas). -#}
    {{ return(warehouse_relation(target.schema, identifier)) }}
{%- endmacro %}

{% macro warehouse_relation(schema, identifier) -%}
    {#- A relation of the warehouse the target builds, by schema and name
        (Spark has no database beside its schemas). -#}
    {{ return(api.Relation.create(
        database=none if target.type == 'spark' else target.database,
        schema=schema, identifier=identifier
    )) }}
{%- endmacro %}

{% macro erasure_applied_relation() -%}
    {#- The erased identifiers (identifier_type, identifier_hash) the last
        erasure in staging applied to every row. -#}
    {{ return(state_relation('journey_erased_identifiers_applied')) }}
{%- endmacro %}

{% macro create_build_log() -%}
    {#- on-run-start: the build log, made once. One row per build that passed
        (no node failed; written before it is published):
        its start (run_started_at, the marker of every row it wrote), its
        invocation, and whether its data tests ran on the whole project. -#}
    {%- if execute and target.type == 'spark' -%}
        {%- do run_query('create database if not exists ' ~ target.schema) -%}
        {%- do run_query(
            'create table if not exists ' ~ build_log_relation()
            ~ ' (started_at timestamp, invocation_id string,'
            ~ ' tests_checked boolean) using parquet'
        ) -%}
    {%- elif execute and target.type == 'duckdb' and target.name != 'readonly' -%}
        {%- do run_query(
            'create table if not exists ' ~ build_log_relation()
            ~ ' (started_at timestamp, invocation_id varchar,'
            ~ ' tests_checked boolean)'
        ) -%}
    {%- endif -%}
{%- endmacro %}

{% macro last_logged_build(condition='true') -%}
    {#- The start of the latest logged build meeting `condition` (a condition
        on the build log), as a timestamp literal; 1900-01-01 when there is
        none. Read once, so that a filter on it is a constant (DuckDB skips
        the row groups written before it). -#}
    {%- set latest = run_query(
        "select coalesce(max(started_at), cast('1900-01-01' as timestamp)) from "
        ~ build_log_relation() ~ " where " ~ condition
    ).columns[0].values()[0] -%}
    {{ return("cast('" ~ latest ~ "' as timestamp)") }}
{%- endmacro %}

{% macro tests_checked_whole_project() -%}
    {#- Whether this invocation is a `dbt build` whose data tests ran on the
        whole project: no node selection, no exclusion, no resource type
        left out that holds the data tests, not --empty. -#}
    {%- set args = invocation_args_dict -%}
    {%- set excluded_types = args.get('exclude_resource_types') or [] -%}
    {%- set types = args.get('resource_types') or [] -%}
    {{ return(
        flags.WHICH == 'build'
        and not args.get('select') and not args.get('exclude')
        and not args.get('selector')
        and 'test' not in excluded_types
        and (not types or 'test' in types or 'all' in types)
        and args.get('empty') not in (true, 'True', 'true')
    ) }}
{%- endmacro %}

{% macro log_build() -%}
    {#- on-run-end, once a build has passed and its erasure in staging is
        applied: its row in the build log. -#}
    {%- do run_query(
        'insert into ' ~ build_log_relation() ~ " values (cast('"
        ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        ~ "' as timestamp), '" ~ invocation_id ~ "', "
        ~ (tests_checked_whole_project() | string | lower) ~ ")"
    ) -%}
{%- endmacro %}
