{#- CSV landing files matched by header name (CONTRACT.md): the sources read
    every file with union_by_name and all_varchar, so column order may differ
    from file to file and an unknown extra column is ignored. -#}

{% macro csv_by_header(relation, required, files=none) -%}
    {#- The declared columns of a CSV source (its YAML), picked by name from
        each row, so that a column no file has is null instead of a binding
        error; `filename`; and `layout_reason`, why the whole file is
        quarantined: a semicolon-delimited header, or a required column the
        file lacks (or leaves empty in every row), or why the row is: more
        fields than the header. The header names the files hold are read at
        run time (binding the read, no row), so each declared column is a
        plain column of the read, never a lookup in a per-row document.
        `files`: the files to read (macro files_to_read); none reads them
        all. -#}
    {%- set columns = source_columns(relation) if execute else [] -%}
    {%- if execute and not columns -%}
        {{ exceptions.raise_compiler_error(
            "csv_by_header: no columns declared for " ~ relation
        ) }}
    {%- endif -%}
    {%- set read = landing_relation(relation, files) -%}
    {%- set present = csv_header_names(read) -%}
    {#- a semicolon-delimited file is read as one column named after its
        whole header; an unquoted comma gives a row an unnamed columnN -#}
    {%- set semicolon_headers = [] -%}
    {%- set extra_fields = [] -%}
    {%- for name in present -%}
        {%- if ';' in name -%}
            {%- do semicolon_headers.append(name) -%}
        {%- elif modules.re.fullmatch('column[0-9]+', name) -%}
            {%- do extra_fields.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    select
        {%- for column in columns %}
        {%- if column in present %}
        {{ csv_column(column) }} as {{ column }},
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endif %}
        {%- endfor %}
        filename,
        case
            {%- if semicolon_headers %}
            when {{ dbt.bool_or(
                '(' ~ csv_any_not_null(semicolon_headers) ~ ')'
            ) }} over (partition by filename)
                then 'semicolon-delimited file (the contract''s CSV is comma-separated)'
            {%- endif %}
            {%- for column in required %}
            {%- if column in present %}
            when count({{ csv_column(column) }}) over (partition by filename) = 0
            {%- else %}
            when true
            {%- endif %}
                then 'file lacks the required column {{ column }} (or it is empty in every row)'
            {%- endfor %}
            {%- if extra_fields %}
            when {{ csv_any_not_null(extra_fields) }}
                then 'row has more fields than the header (an unquoted comma?)'
            {%- endif %}
        end as layout_reason
    from {{ read }} as raw_rows
{%- endmacro %}

{% macro csv_header_names(read) -%}
    {#- The column names a read of CSV files binds to (every file's header,
        by name), at run time; none while parsing. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set bound = run_query("select * from " ~ read ~ " as r limit 0") -%}
    {{ return(bound.column_names | list) }}
{%- endmacro %}

{% macro csv_column(name) -%}
    {#- A column of a CSV read, quoted: a header may hold any character. -#}
    {%- if target.type == 'spark' -%}
        raw_rows.`{{ name | replace('`', '``') }}`
    {%- else -%}
        raw_rows."{{ name | replace('"', '""') }}"
    {%- endif -%}
{%- endmacro %}

{% macro csv_any_not_null(names) -%}
    {%- for name in names -%}
        {{ csv_column(name) }} is not null{{ " or " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
