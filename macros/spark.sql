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
    {%- set path = "regexp_replace(path, '^file:', '')" -%}
    select
        {{ path }} as filename,
        regexp_replace(
            regexp_replace(decode(content, 'UTF-8'), '^\uFEFF', ''),
            '\r\n?', chr(10)
        ) as body
    from {{ spark_landing_files() }}
    where
        path rlike {{ spark_string(glob_regex(landing_glob(relation))) }}
        {%- if files is not none %}
        and {{ path }} in (
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
