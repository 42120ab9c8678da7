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

{% macro landing_external_location(relation) -%}
    {#- How a landing source is read: its `read_csv(...)` expression, which is
        the source's relation on DuckDB; other engines name the source's
        table, so its YAML (meta external_location) is read. -#}
    {%- if target.type == 'duckdb' -%}{{ return(relation | string) }}{%- endif -%}
    {%- for node in graph.sources.values()
        if node.schema == relation.schema
        and node.identifier == relation.identifier -%}
        {{ return(node.meta.get('external_location', '')) }}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{% macro landing_glob(relation) -%}
    {#- The file pattern of a source: the first quoted argument of its
        external_location (`read_csv('<root>/web/**/*.gz', ...)`). -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set text = landing_external_location(relation) -%}
    {%- set found = modules.re.search("read_csv\\('([^']*)'", text) -%}
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
    {{ return(adapter.dispatch('landing_file_count', 'customer_journey')(pattern)) }}
{%- endmacro %}

{% macro default__landing_file_count(pattern) -%}
    {%- set found = run_query(
        "select count(*) from glob('" ~ pattern ~ "')"
    ) -%}
    {{ return(found.columns[0].values()[0]) }}
{%- endmacro %}

{% macro spark__landing_file_count(pattern) -%}
    {#- Spark lists the files of the landing table (macro
        spark_landing_files: every file below the root, read where it lies)
        whose path matches the pattern. -#}
    {%- set found = run_query(
        "select count(*) from " ~ spark_landing_matching(pattern) ~ " as files"
    ) -%}
    {{ return(found.columns[0].values()[0]) }}
{%- endmacro %}

{% macro landing_file_listing(pattern) -%}
    {#- The files matching a pattern, their metadata only (source_file,
        file_bytes, file_modified_at), as a relation; dispatched. -#}
    {{ return(adapter.dispatch('landing_file_listing', 'customer_journey')(pattern)) }}
{%- endmacro %}

{% macro default__landing_file_listing(pattern) -%}
    (
        select
            filename as source_file,
            size as file_bytes,
            last_modified as file_modified_at
        from read_blob('{{ pattern }}')
    )
{%- endmacro %}

{% macro spark__landing_file_listing(pattern) -%}
    (
        select
            source_file,
            length as file_bytes,
            date_trunc('second', modificationTime) as file_modified_at
        from {{ spark_landing_matching(pattern) }} as files
    )
{%- endmacro %}

{% macro spark_landing_matching(pattern, files=none) -%}
    {#- The files of the landing table (macro spark_landing_files) whose path
        matches a pattern (and is one of `files`, when given), with
        source_file, their path as DuckDB names it (without Spark's `file:`
        scheme). The filter is on the file's metadata (spark_file_path), so
        Spark opens only the files it keeps. -#}
    (
        select
            {{ spark_file_path() }} as source_file,
            length,
            modificationTime,
            content
        from {{ spark_landing_files() }}
        where {{ spark_file_path() }} rlike {{ spark_string(glob_regex(pattern)) }}
        {%- if files is not none %}
            and {{ spark_file_path() }} in ({{ spark_strings(files) }})
        {%- endif %}
    )
{%- endmacro %}

{% macro spark_file_path() -%}
    {#- The path of the file a row of a Spark file table was read from, as
        DuckDB names it: _metadata.file_path is a URI (a space is %20, a
        percent sign %25), decoded here with its plus signs kept, and without
        the `file:` scheme. A filter on it alone lets Spark skip the files it
        rejects before opening them. -#}
    regexp_replace(url_decode(replace(_metadata.file_path, '+', '%2B')), '^file:', '')
{%- endmacro %}

{% macro spark_strings(texts) -%}
    {#- Spark string literals (macro spark_string), comma-separated; a null
        literal for an empty list, which matches nothing. -#}
    {%- set literals = [] -%}
    {%- for text in texts -%}
        {%- do literals.append(spark_string(text)) -%}
    {%- endfor -%}
    {{ return(literals | join(', ') if literals else 'null') }}
{%- endmacro %}

{% macro glob_regex(pattern) -%}
    {#- A file pattern (`*` within a folder, `**/` any folders, a final `**`
        anything below, `?` one character) as a regular expression on a full
        path or URL (Spark lists `file:/...`, `s3a://bucket/...`): anchored
        at the end, and at the start of the pattern's first folder. -#}
    {%- set relative = pattern[2:] if pattern.startswith('./') else pattern -%}
    {%- set parts = [] -%}
    {%- for piece in modules.re.split('(\\*\\*/?|\\*|\\?)', relative) -%}
        {%- if piece == '**/' -%}{%- do parts.append('(.*/)?') -%}
        {%- elif piece == '**' -%}{%- do parts.append('.*') -%}
        {%- elif piece == '*' -%}{%- do parts.append('[^/]*') -%}
        {%- elif piece == '?' -%}{%- do parts.append('[^/]') -%}
        {%- else -%}{%- do parts.append(modules.re.escape(piece)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set anchor = '' if relative.startswith('/') else '(^|/)' -%}
    {{ return(anchor ~ parts | join('') ~ '$') }}
{%- endmacro %}

{% macro spark_string(text) -%}
    {#- A Spark SQL string literal. The session keeps backslashes as they are
        (spark.sql.parser.escapedStringLiterals), so a quote can only be
        spelled chr(39): Spark reads 'a''b' as two literals, ab. -#}
    {%- set pieces = [] -%}
    {%- for piece in text.split("'") -%}
        {%- do pieces.append("'" ~ piece ~ "'") -%}
    {%- endfor -%}
    {{ return(pieces[0] if pieces | length == 1 else 'concat(' ~ pieces | join(', chr(39), ') ~ ')') }}
{%- endmacro %}

{% macro spark_landing_files() -%}
    {#- The Spark table listing every file below the landing root
        (binaryFile: path, modificationTime, length, content read only when
        asked), made again by check_landing_root at the start of each run:
        an external table, so that a root without files lists none where a
        view would fail. -#}
    {{ return('landing.files') }}
{%- endmacro %}

{% macro landing_relation(relation, files=none) -%}
    {#- A source as a relation that never fails to bind. With `files` (a
        list of paths), only those files are read; with no file to read, an
        empty relation with the source's declared columns and `filename`. -#}
    {%- if not execute -%}{{ return(relation) }}{%- endif -%}
    {%- if target.type == 'spark' and (
        files if files is not none
        else landing_file_count(landing_glob(relation)) > 0
    ) -%}
        {%- if landing_glob(relation).endswith('.gz') -%}
            {{ return(spark_lines_relation(relation, files)) }}
        {%- endif -%}
        {{ return(spark_csv_relation(relation, files)) }}
    {%- endif -%}
    {%- set text = relation | string -%}
    {%- set pattern = landing_glob(relation) -%}
    {%- if files is none and landing_file_count(pattern) > 0 -%}
        {{ return(text) }}
    {%- elif files -%}
        {{ return(text | replace(
            "'" ~ pattern ~ "'", landing_file_set(relation, files)
        )) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in source_columns(relation) + ['filename'] -%}
        {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ column) -%}
    {%- endfor -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' where false)') }}
{%- endmacro %}

{% macro is_gzip_stream(content, size) -%}
    {#- A file that starts with gzip's two signature bytes and is long enough
        for a gzip header and trailer (18 bytes); dispatched. -#}
    {{ return(adapter.dispatch('is_gzip_stream', 'customer_journey')(content, size)) }}
{%- endmacro %}

{% macro default__is_gzip_stream(content, size) -%}
    ({{ size }} >= 18 and {{ content }}[1:2] = '\x1F\x8B'::blob)
{%- endmacro %}

{% macro spark__is_gzip_stream(content, size) -%}
    ({{ size }} >= 18 and substring({{ content }}, 1, 2) = X'1F8B')
{%- endmacro %}

{% macro byte_hex(content, position) -%}
    {#- The byte at a 1-based position of a binary value, as two hex
        digits; dispatched. -#}
    {{ return(adapter.dispatch('byte_hex', 'customer_journey')(content, position)) }}
{%- endmacro %}

{% macro default__byte_hex(content, position) -%}
    hex({{ content }}[{{ position }}:{{ position }}])
{%- endmacro %}

{% macro spark__byte_hex(content, position) -%}
    hex(substring({{ content }}, {{ position }}, 1))
{%- endmacro %}

{% macro hex_to_bigint(hex_digits) -%}
    {#- A hexadecimal number (digits only) as a bigint; dispatched. -#}
    {{ return(adapter.dispatch('hex_to_bigint', 'customer_journey')(hex_digits)) }}
{%- endmacro %}

{% macro default__hex_to_bigint(hex_digits) -%}
    cast('0x' || {{ hex_digits }} as bigint)
{%- endmacro %}

{% macro spark__hex_to_bigint(hex_digits) -%}
    cast(conv({{ hex_digits }}, 16, 10) as bigint)
{%- endmacro %}

{% macro landing_blobs(relation, files=none) -%}
    {#- The files of a source (or the listed ones) with their bytes:
        filename, size, content; dispatched. -#}
    {{ return(adapter.dispatch('landing_blobs', 'customer_journey')(relation, files)) }}
{%- endmacro %}

{% macro default__landing_blobs(relation, files=none) -%}
    read_blob({{ landing_file_set(relation, files) }})
{%- endmacro %}

{% macro spark__landing_blobs(relation, files=none) -%}
    (
        select
            source_file as filename,
            length as size,
            content
        from {{ spark_landing_matching(landing_glob(relation), files) }} as listed
    )
{%- endmacro %}

{% macro landing_file_set(relation, files=none) -%}
    {#- What read_blob reads: a source's file pattern, or a list of its files. -#}
    {%- if files is none -%}
        {{ return("'" ~ landing_glob(relation) ~ "'") }}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for path in files -%}
        {%- do quoted.append("'" ~ path | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{ return("[" ~ quoted | join(", ") ~ "]") }}
{%- endmacro %}

{% macro landing_inventory(source_name, entity) -%}
    {#- The files of one landing source as base_landing__files listed them at
        the start of the build (source_file, file_bytes, file_modified_at). -#}
    (
        select source_file, file_bytes, file_modified_at
        from {{ ref('base_landing__files') }}
        where source_name = '{{ source_name }}' and entity = '{{ entity }}'
    )
{%- endmacro %}

{% macro files_to_read(source_name, entity, read_relation=none) -%}
    {#- The files of a landing source a model reads on this run, at run time
        (none while parsing), from the build's inventory (base_landing__files;
        the model declares `-- depends_on` it): every file on a full build
        (read_relation none); on an incremental run, the files whose path,
        size and modification time are not all in read_relation (columns
        source_file, file_bytes, file_modified_at): new files, and files
        delivered again with other bytes. A file delivered again as it was
        is not read again. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set inventory = ref('base_landing__files') -%}
    {%- if existing_relation(inventory) is none -%}
        {#- compiled without a build (sqlfluff, `dbt compile` on an empty
            database): no file to read -#}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select files.source_file
        from {{ landing_inventory(source_name, entity) }} as files
        {%- if read_relation is not none %}
        where not exists (
            select 1
            from (
                select distinct source_file, file_bytes, file_modified_at
                from {{ read_relation }}
            ) as done
            where
                done.source_file = files.source_file
                and done.file_bytes = files.file_bytes
                and done.file_modified_at = files.file_modified_at
        )
        {%- endif %}
        order by files.source_file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{% macro readable_gzip_files(relation, files=none) -%}
    {#- The files of a gzipped source (or of the list `files`) that start
        like a gzip stream, at run time (none while parsing): read_csv stops
        on any other. -#}
    {%- if not execute or files == [] -%}{{ return([]) }}{%- endif -%}
    {%- set found = run_query(
        "select filename from " ~ landing_blobs(relation, files) ~ " as blobs"
        ~ " where " ~ is_gzip_stream('content', 'size')
        ~ " order by filename"
    ) -%}
    {{ return(found.columns[0].values() | list) }}
{%- endmacro %}

{% macro gzip_files(relation, files=none) -%}
    {#- Every file of a gzipped source (or of the list `files`): its size,
        whether it is gzip, and the uncompressed size its gzip trailer (ISIZE,
        the last four bytes, little endian) states, modulo 2^32. -#}
    {%- if files == [] %}
    select
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as bigint) as file_bytes,
        cast(null as boolean) as is_gzip,
        cast(null as bigint) as stated_bytes
    where false
    {%- else %}
    select
        filename as source_file,
        size as file_bytes,
        {{ is_gzip_stream('content', 'size') }} as is_gzip,
        case when size >= 18 then {{ hex_to_bigint(
            byte_hex('content', 'size')
            ~ ' || ' ~ byte_hex('content', 'size - 1')
            ~ ' || ' ~ byte_hex('content', 'size - 2')
            ~ ' || ' ~ byte_hex('content', 'size - 3')
        ) }} end as stated_bytes
    from {{ landing_blobs(relation, files) }} as blobs
    {%- endif %}
{%- endmacro %}

{% macro check_landing_root() -%}
    {#- on-run-start hook: a landing root that does not exist or holds no file
        stops the run with a message naming JOURNEY_LANDING_PATH; so does a
        relative root on Spark, which names every file it reads by its
        absolute path or URI (the landing paths, landing_path, and the file
        patterns are matched against it). -#}
    {%- if execute -%}
        {%- set root = env_var('JOURNEY_LANDING_PATH', 'data/landing') -%}
        {%- if target.type == 'spark' and not modules.re.match('/|[A-Za-z][A-Za-z0-9+.-]*://', root) -%}
            {{ exceptions.raise_compiler_error(
                "JOURNEY_LANDING_PATH is '" ~ root ~ "', a relative path: on"
                ~ " Spark give the landing zone's absolute path or URI (`make"
                ~ " build` makes the default data/landing absolute)."
            ) }}
        {%- endif -%}
        {%- if target.type == 'spark' -%}
            {%- do run_query('create database if not exists landing') -%}
            {%- do run_query('drop table if exists ' ~ spark_landing_files()) -%}
            {%- do run_query(
                'create table ' ~ spark_landing_files() ~ ' using binaryFile'
                ~ ' options (path ' ~ spark_string(root) ~ ","
                ~ " recursiveFileLookup 'true')"
            ) -%}
            {%- do create_spark_lines_tables() -%}
        {%- endif -%}
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

{% macro loaded_at() -%}
    {#- When this build started (dbt's run_started_at, UTC), as a timestamp:
        the load marker of the rows an incremental model adds, so that a
        model reading it can take the rows added since it last ran. -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
        as {{ dbt.type_timestamp() }})
{%- endmacro %}
