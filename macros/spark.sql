{#- What the project needs of Spark (dbt-spark, issue #15) that dbt-spark
    does not give. -#}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {#- Seeds as literals: dbt-spark's session method formats the bindings
        of its own seed insert without escaping them, so a value holding a
        quote (`the person's`) breaks the statement. Each value is a Spark
        string literal cast to the column's type; empty is null. -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                (
                {%- for value in row -%}
                    {%- set inferred = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(agate_table.column_names[loop.index0], inferred) -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast({{ spark_string(value | string) }} as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
                ){%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{% macro spark_landing_texts(relation, files=none) -%}
    {#- The text of each file of a landing source (the landing table's
        content, decoded as UTF-8, a byte-order mark dropped, line ends made
        a line feed): every file matching its pattern, or the listed ones. -#}
    select
        listed.source_file as filename,
        regexp_replace(
            regexp_replace(decode(listed.content, 'UTF-8'), '^\uFEFF', ''),
            '\r\n?', chr(10)
        ) as body
    from {{ spark_landing_matching(landing_glob(relation), files) }} as listed
{%- endmacro %}

{% macro spark_csv_relation(relation, files=none) -%}
    {#- A CSV landing source on Spark as DuckDB's read_csv gives it to
        csv_by_header: every column a file's header names (matched by name,
        all text), `filename`, and `column0`, the first field past its
        file's header (a row with more fields than the header). Lines are
        split on \n: a quoted field holding a line break is not read as
        DuckDB reads it. The header names are read at run time. -#}
    {%- set texts = spark_landing_texts(relation, files) -%}
    {%- set widest = run_query(
        "select coalesce(max(size(split(substring_index(body, chr(10), 1), ','))), 1)"
        ~ " from (" ~ texts ~ ") as texts"
    ).columns[0].values()[0] | int + 1 -%}
    {%- set schema -%}
        {%- for i in range(widest) -%}f{{ i }} string{{ ", " if not loop.last }}{%- endfor -%}
    {%- endset -%}
    {%- set header_query -%}
        select distinct name, position
        from (
            select posexplode(array(
                {%- for i in range(widest) %}header.f{{ i }}{{ ", " if not loop.last }}{% endfor -%}
            )) as (position, name)
            from (
                select from_csv(
                    substring_index(body, chr(10), 1), '{{ schema }}',
                    map('escape', '"')
                ) as header
                from ({{ texts }}) as texts
            ) as headers
        ) as names
        where name is not null
        order by position, name
    {%- endset -%}
    {%- set names = [] -%}
    {%- for row in run_query(header_query) -%}
        {%- if row[0] not in names -%}{%- do names.append(row[0]) -%}{%- endif -%}
    {%- endfor -%}
    (
        with texts as ({{ texts }}),

        lines as (
            select texts.filename, numbered.position, numbered.line
            from texts
            lateral view posexplode(split(texts.body, '\n')) numbered as position, line
            where numbered.line <> ''
        ),

        parsed as (
            select
                filename,
                position,
                from_csv(line, '{{ schema }}', map('escape', '"')) as parsed
            from lines
        ),

        fielded as (
            select
                filename,
                position,
                array(
                    {%- for i in range(widest) %}parsed.f{{ i }}{{ ", " if not loop.last }}{% endfor -%}
                ) as fields
            from parsed
        ),

        headers as (
            select
                filename,
                fields as names,
                size(filter(fields, name -> name is not null)) as width
            from fielded
            where position = 0
        )

        select
            {%- for name in names %}
            fielded.fields[array_position(headers.names, {{ spark_string(name) }}) - 1]
                as `{{ name | replace('`', '``') }}`,
            {%- endfor %}
            fielded.fields[headers.width] as column0,
            fielded.filename
        from fielded
        inner join headers on fielded.filename = headers.filename
        where fielded.position > 0
    )
{%- endmacro %}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {#- dbt-spark's check of a model's strategy, which also takes the
        project's replace_keys and dbt's delete+insert: both run on Parquet
        (spark_replace_keys). -#}
    {%- if raw_strategy in ('replace_keys', 'delete+insert') -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt_spark.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {#- dbt-spark's incremental statement, and the project's strategies. -#}
    {%- if strategy in ('replace_keys', 'delete+insert') -%}
        {{ return(spark_replace_keys(strategy, source, target, unique_key)) }}
    {%- endif -%}
    {{ return(dbt_spark.dbt_spark_get_incremental_sql(
        strategy, source, target, existing, unique_key, incremental_predicates
    )) }}
{%- endmacro %}

{% macro spark_replace_keys(strategy, batch, target, unique_key) -%}
    {#- replace_keys (and delete+insert) on Parquet, which has no delete:
        the target is rewritten (spark_rewrite) with its rows of the keys the
        batch does not name and the batch's rows (but replace_keys' key-only
        rows); the statement dbt runs last refreshes the table. With meta
        keeps_replaced_rows, the target's rows of the batch's keys are first
        added to its `__replaced` companion, as on DuckDB
        (default__replace_keys_sql). -#}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set meta = config.get('meta', {}) -%}
    {%- set columns = get_quoted_csv(
        adapter.get_columns_in_relation(target) | map(attribute='name')
    ) -%}
    {%- set matches -%}
        {%- for key in keys -%}
            batch_keys.{{ key }} = {{ target }}.{{ key }}{{ " and " if not loop.last }}
        {%- endfor -%}
    {%- endset -%}
    {%- set deleted_where = meta.get('deleted_keys_where') -%}
    {%- if meta.get('keeps_replaced_rows') -%}
        {%- set replaced = replaced_rows_relation(target) -%}
        {%- do run_query(
            'create table if not exists ' ~ replaced ~ ' using parquet as select '
            ~ columns ~ ', ' ~ loaded_at() ~ ' as replaced_at from ' ~ target
            ~ ' where 1 = 0'
        ) -%}
        {%- do run_query(
            'insert into ' ~ replaced ~ ' select ' ~ columns ~ ', ' ~ loaded_at()
            ~ ' from ' ~ target ~ ' where exists (select 1 from ' ~ batch
            ~ ' as batch_keys where ' ~ matches ~ ')'
        ) -%}
    {%- endif -%}
    {%- set kept -%}
        select {{ columns }}
        from {{ target }}
        where not exists (
            select 1
            from (
                select distinct {{ keys | join(', ') }} from {{ batch }}
                {%- if deleted_where %} where {{ deleted_where }}{% endif %}
            ) as batch_keys
            where {{ matches }}
        )
        union all
        select {{ columns }}
        from {{ batch }}
        {%- if strategy == 'replace_keys' %}
        where {{ config.meta_require('key_only_column') }} is not null
        {%- endif %}
    {%- endset -%}
    {%- do spark_rewrite(target, kept) -%}
    refresh table {{ target }}
{%- endmacro %}

{% macro spark_lines_table(relation) -%}
    {#- The Spark table that reads a gzipped landing source's lines
        (macro create_spark_lines_tables): landing.<source>__<table>. -#}
    {{ return('landing.' ~ relation.schema ~ '__' ~ relation.identifier) }}
{%- endmacro %}

{% macro create_spark_lines_tables() -%}
    {#- Part of check_landing_root on Spark: for each gzipped landing source
        (its file pattern ends in .gz), an external text table over its
        folder that reads every .gz file below it, decompressed, one row per
        line (macro spark_lines_relation). Made again each run, so that it
        follows JOURNEY_LANDING_PATH; none for a source without a file.
        ignoreCorruptFiles keeps the lines read before the end of a gzip cut
        short instead of failing the build: that file is then accounted for
        by segment_event_files, as on DuckDB. -#}
    {%- for node in graph.sources.values() -%}
        {%- set found = modules.re.search(
            "read_csv\\('([^']*\\.gz)'", node.meta.get('external_location', '')
        ) -%}
        {%- if found -%}
            {%- set table = 'landing.' ~ node.schema ~ '__' ~ node.identifier -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- if landing_file_count(found.group(1)) > 0 -%}
                {%- set folder = found.group(1).split('*')[0] -%}
                {%- do run_query(
                    'create table ' ~ table ~ ' using text options (path '
                    ~ spark_string(folder) ~ ", recursiveFileLookup 'true', pathGlobFilter "
                    ~ spark_string(found.group(1).split('/')[-1]) ~ ", ignoreCorruptFiles 'true')"
                ) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro spark_lines_relation(relation, files) -%}
    {#- The lines of a gzipped landing source's listed files, as DuckDB's
        read_csv gives them (macro parse_segment_events): `line`, null for
        an empty line, and `filename`. A line longer than the source's
        max_line_size is not read, as on DuckDB, so that both engines stage
        the same lines and its file is accounted for as partly read. The
        files are chosen by their metadata: Spark opens no other. -#}
    {%- set limit = modules.re.search(
        "max_line_size = ([0-9]+)", landing_external_location(relation)
    ) -%}
    (
        select
            {{ spark_file_path() }} as filename,
            nullif(value, '') as line
        from {{ spark_lines_table(relation) }}
        where
            {{ spark_file_path() }} in ({{ spark_strings(files) }})
            {%- if limit %}
            and octet_length(value) <= {{ limit.group(1) }}
            {%- endif %}
    )
{%- endmacro %}

{% macro spark_delete_where(relation, condition) -%}
    {#- Deletes the rows of a Parquet table meeting `condition`, which Spark
        cannot do in place: a rewrite with the other rows. -#}
    {%- do spark_rewrite(
        relation,
        'select * from ' ~ relation ~ ' where not coalesce((' ~ condition ~ '), false)'
    ) -%}
{%- endmacro %}

{% macro spark_rewrite(relation, rows) -%}
    {#- Replaces a Parquet table's rows with the result of `rows` (a query
        giving its columns in their order, which may read the table): the
        rows are written to a work table first (<table>__dbt_rewrite), which
        then overwrites the table, since Spark does not overwrite a table a
        statement reads; the work table is dropped. Partitions and options
        stay the table's. -#}
    {%- set work = relation.incorporate(path={
        'identifier': relation.identifier ~ '__dbt_rewrite'
    }) -%}
    {%- do run_query('drop table if exists ' ~ work) -%}
    {%- do run_query('create table ' ~ work ~ ' using parquet as ' ~ rows) -%}
    {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ work) -%}
    {%- do run_query('drop table if exists ' ~ work) -%}
{%- endmacro %}

{% macro outside_transaction(sql) -%}
    {#- A hook run outside the model's transaction (dbt's before_begin and
        after_commit, which are the same hook): on Spark, which has no
        transactions, a plain hook, since dbt-spark's table and incremental
        materializations run only the hooks inside the transaction. -#}
    {%- if target.type == 'spark' -%}{{ return(sql) }}{%- endif -%}
    {{ return({'sql': sql, 'transaction': false}) }}
{%- endmacro %}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {#- dbt's dateadd on Spark, as on DuckDB: a timestamp kept to the
        microsecond, null for a null. dbt-spark's goes through Unix seconds
        (a timestamp's fraction is lost) and stops the query on a null. -#}
    {%- set units = {
        'day': 'DAY', 'week': 'WEEK', 'month': 'MONTH', 'quarter': 'QUARTER',
        'year': 'YEAR', 'hour': 'HOUR', 'minute': 'MINUTE', 'second': 'SECOND',
        'millisecond': 'MILLISECOND', 'microsecond': 'MICROSECOND',
    } -%}
    {%- if datepart not in units -%}
        {{ exceptions.raise_compiler_error("dateadd: no date part '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
    timestampadd({{ units[datepart] }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {#- dbt's datediff on Spark, as DuckDB's date_diff counts: the boundaries
        of the date part crossed from the first time to the second (a day
        from 23:00 to 01:00), null for a null. dbt-spark's stops the query
        on a null and counts a month by months_between. A bigint, as on
        DuckDB. -#}
    {%- if datepart == 'day' -%}
        cast(datediff(cast({{ second_date }} as date), cast({{ first_date }} as date)) as bigint)
    {%- elif datepart == 'month' -%}
        cast((year({{ second_date }}) - year({{ first_date }})) * 12
        + month({{ second_date }}) - month({{ first_date }}) as bigint)
    {%- elif datepart == 'year' -%}
        cast(year({{ second_date }}) - year({{ first_date }}) as bigint)
    {%- elif datepart in ('hour', 'minute', 'second') -%}
        {%- set seconds = {'hour': 3600, 'minute': 60, 'second': 1}[datepart] -%}
        (floor(unix_seconds(cast({{ second_date }} as timestamp)) / {{ seconds }})
        - floor(unix_seconds(cast({{ first_date }} as timestamp)) / {{ seconds }}))
    {%- elif datepart == 'millisecond' -%}
        (unix_millis(cast({{ second_date }} as timestamp))
        - unix_millis(cast({{ first_date }} as timestamp)))
    {%- else -%}
        {{ exceptions.raise_compiler_error("datediff: no date part '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
{%- endmacro %}

{% materialization snapshot, adapter='spark' %}
    {#- Snapshots on Parquet. dbt-spark's snapshot merges into the table,
        which needs Delta, Iceberg or Hudi (not installable offline); this
        one builds dbt's staging of the changes as dbt-spark does, then
        rewrites the table whole (spark_snapshot_rows, spark_rewrite). -#}
    {%- set exists, target = get_or_create_relation(
        database=none, schema=model.schema, identifier=model.alias, type='table'
    ) -%}
    {%- if not adapter.check_schema_exists(model.database, model.schema) -%}
        {%- do create_schema(model.schema) -%}
    {%- endif -%}
    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- set strategy = strategy_dispatch(config.get('strategy'))(
        model, 'snapshotted_data', 'source_data', model['config'], exists
    ) -%}
    {%- if not exists -%}
        {%- set final_sql = create_table_as(
            False, target, build_snapshot_table(strategy, model['compiled_code'])
        ) -%}
    {%- else -%}
        {%- set staging = target.incorporate(
            path={'identifier': target.identifier ~ '__dbt_tmp'}, type='view'
        ) -%}
        {%- call statement('build_snapshot_staging_relation') -%}
            {{ create_view_as(staging, snapshot_staging_table(strategy, model['compiled_code'], target)) }}
        {%- endcall -%}
        {%- set added = adapter.get_missing_columns(staging, target)
            | rejectattr('name', 'in', ['dbt_change_type', 'dbt_unique_key'])
            | list -%}
        {%- do create_columns(target, added) -%}
        {%- do spark_rewrite(target, spark_snapshot_rows(target, staging)) -%}
        {%- set final_sql = 'refresh table ' ~ target -%}
    {%- endif -%}
    {%- call statement('main') -%}
        {{ final_sql }}
    {%- endcall -%}
    {%- do persist_docs(target, model) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- if exists -%}
        {%- do adapter.drop_relation(staging) -%}
    {%- endif -%}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target]}) }}
{% endmaterialization %}

{% macro spark_snapshot_rows(target, staging) -%}
    {#- What dbt's snapshot merge does, as the rows of the table's next
        version (written by spark_rewrite): the table's rows, a current
        version that changed or went closed with the staged dbt_valid_to,
        and the staged new versions (dbt_change_type insert) whose
        dbt_scd_id the table does not hold yet. -#}
    {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
    {%- set current = config.get('dbt_valid_to_current') -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='name') | list -%}
    {%- set rows -%}
        select
            {%- for column in columns %}
            {%- if column == names.dbt_valid_to %}
            case
                when closed.{{ names.dbt_scd_id }} is not null then closed.{{ names.dbt_valid_to }}
                else kept.{{ column }}
            end as {{ column }}
            {%- else %}
            kept.`{{ column }}`
            {%- endif %}
            {{- "," if not loop.last }}
            {%- endfor %}
        from {{ target }} as kept
        left join (
            select {{ names.dbt_scd_id }}, {{ names.dbt_valid_to }}
            from {{ staging }}
            where dbt_change_type in ('update', 'delete')
        ) as closed
            on
                closed.{{ names.dbt_scd_id }} = kept.{{ names.dbt_scd_id }}
                and (kept.{{ names.dbt_valid_to }} is null
                {%- if current %} or kept.{{ names.dbt_valid_to }} = {{ current }}{% endif %})
        union all
        select
            {%- for column in columns %}
            added.`{{ column }}`{{ "," if not loop.last }}
            {%- endfor %}
        from {{ staging }} as added
        left anti join {{ target }} as known
            on known.{{ names.dbt_scd_id }} = added.{{ names.dbt_scd_id }}
        where added.dbt_change_type = 'insert'
    {%- endset -%}
    {{ return(rows) }}
{%- endmacro %}
