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
    from {{ spark_landing_matching(landing_glob(relation)) }} as listed
    {%- if files is not none %}
    where listed.source_file in (
        {%- for file in files %}{{ spark_string(file) }}{{ ", " if not loop.last }}{% endfor -%}
    )
    {%- endif %}
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
        the target's rows of the keys the batch does not name, and the
        batch's rows (but replace_keys' key-only rows), are written to a
        staging table, which then overwrites the target; the statement dbt
        runs last drops the staging table. With meta keeps_replaced_rows, the
        target's rows of the batch's keys are first added to its
        `__replaced` companion, as on DuckDB (default__replace_keys_sql). -#}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set meta = config.get('meta', {}) -%}
    {%- set columns = get_quoted_csv(
        adapter.get_columns_in_relation(target) | map(attribute='name')
    ) -%}
    {%- set staged = target.incorporate(path={
        'identifier': target.identifier ~ '__dbt_replace_keys'
    }) -%}
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
    {%- do run_query('drop table if exists ' ~ staged) -%}
    {%- set kept -%}
        create table {{ staged }} using parquet as
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
    {%- do run_query(kept) -%}
    {%- do run_query(
        'insert overwrite table ' ~ target ~ ' select ' ~ columns ~ ' from ' ~ staged
    ) -%}
    drop table if exists {{ staged }}
{%- endmacro %}
