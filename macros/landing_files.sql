{#- The files of the landing zone, read so that no file can stop the build:
    a folder the zone does not have is an empty source, a gzipped file that
    cannot be read is left out of the read and accounted for by the event base
    models (macro parse_segment_events). -#}

{% macro source_columns(relation) -%}
    {#- The columns a source's YAML declares, but `filename` (run time). -#}
    {%- set columns = [] -%}
    {%- for node in graph.sources.values()
        if node.schema == relation.schema
        and node.identifier == relation.identifier -%}
        {%- for column in node.columns if column != 'filename' -%}
            {%- do columns.append(column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro landing_glob(relation) -%}
    {#- The file pattern of a source: the first quoted argument of its
        external_location (`read_csv('<root>/web/**/*.gz', ...)`). -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set found = modules.re.search("read_csv\\('([^']*)'", relation | string) -%}
    {%- if not found -%}
        {{ exceptions.raise_compiler_error(
            "landing_glob: " ~ relation ~ " does not read_csv a file pattern"
        ) }}
    {%- endif -%}
    {{ return(found.group(1)) }}
{%- endmacro %}

{% macro landing_file_count(pattern) -%}
    {#- How many files match a pattern, at run time (0 while parsing). -#}
    {%- if not execute -%}{{ return(0) }}{%- endif -%}
    {%- set found = run_query(
        "select count(*) from glob('" ~ pattern ~ "')"
    ) -%}
    {{ return(found.columns[0].values()[0]) }}
{%- endmacro %}

{% macro landing_relation(relation, files=none) -%}
    {#- A source as a relation that never fails to bind. With `files` (a
        list of paths), only those files are read; with no file to read, an
        empty relation with the source's declared columns and `filename`. -#}
    {%- if not execute -%}{{ return(relation) }}{%- endif -%}
    {%- set text = relation | string -%}
    {%- set pattern = landing_glob(relation) -%}
    {%- if files is none and landing_file_count(pattern) > 0 -%}
        {{ return(text) }}
    {%- elif files -%}
        {%- set quoted = [] -%}
        {%- for path in files -%}
            {%- do quoted.append("'" ~ path | replace("'", "''") ~ "'") -%}
        {%- endfor -%}
        {{ return(text | replace(
            "'" ~ pattern ~ "'", "[" ~ quoted | join(", ") ~ "]"
        )) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in source_columns(relation) + ['filename'] -%}
        {%- do columns.append('cast(null as varchar) as ' ~ column) -%}
    {%- endfor -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' where false)') }}
{%- endmacro %}

{% macro is_gzip_stream(content, size) -%}
    {#- A file that starts with gzip's two signature bytes and is long enough
        for a gzip header and trailer (18 bytes). -#}
    ({{ size }} >= 18 and {{ content }}[1:2] = '\x1F\x8B'::blob)
{%- endmacro %}

{% macro readable_gzip_files(relation) -%}
    {#- The files of a gzipped source that start like a gzip stream, at run
        time (none while parsing): read_csv stops on any other. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set files = run_query(
        "select filename from read_blob('" ~ landing_glob(relation) ~ "')"
        ~ " where " ~ is_gzip_stream('content', 'size')
        ~ " order by filename"
    ) -%}
    {{ return(files.columns[0].values() | list) }}
{%- endmacro %}

{% macro landing_file_list(relation) -%}
    {#- The files a source's pattern matches, as a relation with one column,
        source_file; none while parsing. -#}
    (select file as source_file from glob('{{ landing_glob(relation) }}'))
{%- endmacro %}

{% macro gzip_files(relation) -%}
    {#- Every file of a gzipped source: its size, whether it is gzip, and the
        uncompressed size its gzip trailer (ISIZE, the last four bytes, little
        endian) states, modulo 2^32. -#}
    select
        filename as source_file,
        size as file_bytes,
        {{ is_gzip_stream('content', 'size') }} as is_gzip,
        case when size >= 18 then cast('0x' || hex(content[size:size])
            || hex(content[size - 1:size - 1])
            || hex(content[size - 2:size - 2])
            || hex(content[size - 3:size - 3]) as bigint) end as stated_bytes
    from read_blob('{{ landing_glob(relation) }}')
{%- endmacro %}

{% macro check_landing_root() -%}
    {#- on-run-start hook: a landing root that does not exist or holds no file
        stops the run with a message naming JOURNEY_LANDING_PATH. -#}
    {%- if execute -%}
        {%- set root = env_var('JOURNEY_LANDING_PATH', 'data/landing') -%}
        {%- if landing_file_count(root ~ '/**') == 0 -%}
            {{ exceptions.raise_compiler_error(
                "JOURNEY_LANDING_PATH is '" ~ root ~ "': no such folder, or it"
                ~ " holds no file. Point it at your landing zone (CONTRACT.md,"
                ~ " section 1), or run `journey simulate` to make one."
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro landing_path(column) -%}
    {#- A landing file's path below the landing root (JOURNEY_LANDING_PATH),
        e.g. `pos/transactions/PAR-01_2026-01-05.csv`: what row keys hash, so
        that a row keeps its key wherever the zone is mounted. -#}
    {%- set root = env_var('JOURNEY_LANDING_PATH', 'data/landing').rstrip('/') -%}
    {%- set pattern = '^' ~ modules.re.escape(root) ~ '/+' -%}
    regexp_replace({{ column }}, '{{ pattern | replace("'", "''") }}', '')
{%- endmacro %}
