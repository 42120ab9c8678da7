{#- Serving (CONTRACT.md, section 3) and the hash salt: dbt builds into
    <JOURNEY_DUCKDB_PATH>.build and, for what is served (macro is_served),
    <JOURNEY_DUCKDB_PATH>.next; the journey.serving dbt-duckdb plugin gives
    every cursor the salt as a variable and the publish function. -#}

{% macro hash_salt() -%}
    {{ return(adapter.dispatch('hash_salt', 'customer_journey')()) }}
{%- endmacro %}

{% macro default__hash_salt() -%}
    {#- Spark and other engines: a session setting, never a literal. -#}
    '${journey.hash_salt}'
{%- endmacro %}

{% macro duckdb__hash_salt() -%}
    {#- Set on every cursor by the journey.serving plugin from
        JOURNEY_HASH_SALT; the compiled SQL only names the variable. -#}
    getvariable('journey_hash_salt')
{%- endmacro %}

{% macro check_hash_salt() -%}
    {#- on-run-start: a profile that does not hand the salt to the connection
        would hash every identifier to null; stop with a clear message
        instead. On DuckDB the journey.serving plugin sets it; on Spark the
        profile's session setting journey.hash_salt, compared with what
        Spark leaves of an unset variable, without reading the salt back. -#}
    {%- set checks = {
        'duckdb': (
            "select getvariable('journey_hash_salt') is null",
            "The hash salt is not set on the connection: the profile's duckdb"
            ~ " output needs the journey.serving plugin (see profiles.yml),"
            ~ " which reads JOURNEY_HASH_SALT."
        ),
        'spark': (
            "select length(" ~ hash_salt() ~ ") = 0 or " ~ hash_salt()
            ~ " = concat('$', '{journey.hash_salt}')",
            "The hash salt is not set on the Spark session: set"
            ~ " JOURNEY_HASH_SALT (the profile's spark output passes it as"
            ~ " journey.hash_salt, see profiles.yml)."
        ),
    } -%}
    {%- if execute and target.type in checks -%}
        {%- set query, message = checks[target.type] -%}
        {%- if run_query(query).columns[0].values()[0] -%}
            {{ exceptions.raise_compiler_error(message) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro publish_warehouse(results) -%}
    {#- on-run-end: once a build, run, seed or snapshot has passed, replace
        the served file whole (journey.serving.publish). A failure anywhere
        leaves the last good warehouse served. On Spark the tables are the
        warehouse: a build that passed has its erasure in staging applied
        and is logged. -#}
    {%- if execute and target.type in ('duckdb', 'spark')
        and target.name != 'readonly'
        and flags.WHICH in ('build', 'run', 'seed', 'snapshot') -%}
        {%- set failed = results
            | selectattr('status', 'in', ['error', 'fail', 'runtime error'])
            | list -%}
        {%- if failed -%}
            {{ log(
                "Not published: " ~ failed | length ~ " node(s) failed; "
                ~ "the last good warehouse stays served.", info=true
            ) }}
        {%- elif target.type == 'spark' -%}
            {%- do erase_in_staging() -%}
            {%- do log_build() -%}
        {%- else -%}
            {%- do erase_in_staging() -%}
            {%- do log_build() -%}
            {%- set served = write_served_file() -%}
            {{ log("Published the warehouse: " ~ served, info=true) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro drop_unserved_relations() -%}
    {#- The next served file holds the relations dbt's graph builds there
        (macro is_served) and nothing else: a table left by a model since
        removed, renamed or moved out of the served schemas is dropped before
        the file is published. Returns how many went. -#}
    {%- set wanted = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'seed', 'snapshot')
        and node.database == served_database() -%}
        {%- do wanted.append(node.schema ~ '.' ~ node.alias) -%}
    {%- endfor -%}
    {%- set held = run_query(
        "select table_schema, table_name, table_type from information_schema.tables"
        ~ " where table_catalog = '" ~ served_database() ~ "'"
    ) -%}
    {%- set ns = namespace(dropped=0) -%}
    {%- for schema, table, kind in held.rows
        if (schema ~ '.' ~ table) not in wanted -%}
        {%- do run_query(
            'drop ' ~ ('view' if kind == 'VIEW' else 'table') ~ ' "'
            ~ served_database() ~ '"."' ~ schema ~ '"."' ~ table ~ '"'
        ) -%}
        {%- set ns.dropped = ns.dropped + 1 -%}
    {%- endfor -%}
    {{ return(ns.dropped) }}
{%- endmacro %}

{% macro write_served_file() -%}
    {#- The next served file (<JOURNEY_DUCKDB_PATH>.next, attached as
        served_database()) already holds what is served, built there by dbt:
        drop what the graph no longer builds there, checkpoint it (its
        write-ahead log goes into the file), then the plugin copies it beside
        the served file and renames the copy over it
        (journey.serving.publish). A byte copy: no column is compressed
        again. -#}
    {%- set dropped = drop_unserved_relations() -%}
    {%- if dropped -%}
        {{ log("Dropped " ~ dropped ~ " relation(s) no model builds from the served file.", info=true) }}
    {%- endif -%}
    {%- set views = run_query(
        "select table_schema || '.' || table_name from information_schema.tables"
        ~ " where table_catalog = '" ~ served_database() ~ "' and table_type = 'VIEW'"
    ).columns[0].values() | list -%}
    {%- if views -%}
        {#- a view's query names the catalog journey_served, which a reader
            opening the served file by its own name does not have -#}
        {{ exceptions.raise_compiler_error(
            "Not published: " ~ views | join(', ') ~ " is a view in the served "
            ~ "file, where readers cannot query it; materialize it as a table."
        ) }}
    {%- endif -%}
    {%- do run_query("checkpoint " ~ served_database()) -%}
    {{ return(run_query(
        "select journey_publish_warehouse()"
    ).columns[0].values()[0]) }}
{%- endmacro %}

{% macro erased_hash_columns(relation) -%}
    {#- The identifier-hash columns of a relation (`*_hash`, not row_hash), at
        run time, in the relation's order (relation_column_names, which
        opens no transaction). -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set names = [] -%}
    {%- for column in relation_column_names(relation)
        if column.endswith('_hash') and column != 'row_hash' -%}
        {%- do names.append(column) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{% macro holds_erased_identifier(relation, erased) -%}
    {#- Whether a row of `relation` holds an identifier in `erased` (a
        relation or CTE with identifier_hash): any of its hash columns. -#}
    {%- set conditions = [] -%}
    {%- for column in erased_hash_columns(relation) -%}
        {%- do conditions.append(
            'coalesce(' ~ column ~ ' in (select identifier_hash from '
            ~ erased ~ '), false)'
        ) -%}
    {%- endfor -%}
    ({{ conditions | join(' or ') if conditions else 'false' }})
{%- endmacro %}

{% macro erased_record_ids(observations, erased) -%}
    {#- The records (record_id) of an observations relation that hold an
        identifier of the erased-identifier relation: erased whole, by
        int_identity__observations and by erase_in_staging alike. -#}
    select distinct observations.record_id
    from {{ observations }} as observations
    inner join {{ erased }} as erased
        on
            observations.identifier_type = erased.identifier_type
            and observations.identifier_hash = erased.identifier_hash
{%- endmacro %}

{% macro erased_in_place_tables() -%}
    {#- The staging tables a daily build keeps (incremental: a file is read
        once), where an erasure clears the erased person's identifiers and
        free text and flags the row (is_erased) instead of deleting it: a
        later build cannot read the row again from its file. -#}
    {#- Each with the column that marks the build that wrote its row, for a
        table whose rows are written once from their file (erase_in_staging
        checks only the rows written since its last run against the whole
        list), or none (base_pos__transactions carries its till rows'
        marker: every row is checked). -#}
    {{ return({
        'base_web__event_lines': 'loaded_at',
        'base_app__event_lines': 'loaded_at',
        'base_crm__email_event_lines': 'loaded_at',
        'base_pos__transaction_rows': 'loaded_at',
        'base_pos__transactions': none,
        'base_crm__contact_rows': 'loaded_at',
    }) }}
{%- endmacro %}

{% macro reads_erased_in_place(model_name) -%}
    {#- Whether a model is, or reads directly, a table erased in place
        (erased_in_place_tables) and has an is_erased column: its rows carry
        that table's flag (base_pos__transaction_lines reads
        base_pos__transactions for a lookup only, and has none). False while
        parsing (the graph is not known yet). -#}
    {%- set kept = erased_in_place_tables() -%}
    {%- if model_name in kept -%}{{ return(true) }}{%- endif -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.name == model_name
        and 'is_erased' in node.columns -%}
        {%- for parent in node.depends_on.nodes
            if parent.split('.')[-1] in kept -%}
            {{ return(true) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{% macro erased_free_text_columns() -%}
    {#- What an erased row loses besides its identifier hashes: the free
        text, device details and postal code that could single the person
        out. What
        an anonymous sale needs (order id, amounts, products, times) stays,
        as it stays in fct_conversions in every build. -#}
    {{ return([
        'user_agent', 'page_url', 'page_referrer', 'page_title',
        'search_query', 'referral_code', 'coupon', 'device_model', 'url',
        'postal_code',
    ]) }}
{%- endmacro %}

{% macro erase_in_staging() -%}
    {#- Before a build is published: delete from every staging table the rows
        that hold an identifier of an erased person
        (int_identity__erased_identifiers), so that their hashed identifiers,
        behaviour and order ids stay in no relation; the staging views read
        these tables. The base tables are rebuilt from the landing files by
        every build, so the erasure is applied again each time, once the
        identity graph has found what the person's records tie together.
        The event lines, which a daily build keeps (erased_in_place_tables),
        are cleared of the identifiers and flagged instead of deleted.
        rpt_row_accounting counts the usable rows erased (erased_rows). -#}
    {%- set tables, listed = erasure_staging_tables() -%}
    {%- if not listed -%}
        {#- no erasure list to apply: the next erasure cannot rely on this
            build's, so it checks every row again -#}
        {%- do run_query('drop table if exists ' ~ erasure_applied_relation()) -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set erased = warehouse_relation('intermediate', 'int_identity__erased_identifiers') -%}
    {%- set ns = namespace(rows=0, tables=0) -%}
    {#- What an earlier erasure did: the tables a daily build keeps need only
        their rows written since the last build that passed (each build's
        erasure runs before it is logged) checked against the whole list,
        and all their rows against the identifiers listed since -#}
    {%- set applied = erasure_applied_relation() -%}
    {%- set scoped = relation_column_names(applied) | length > 0 -%}
    {%- set newly_erased = state_relation('journey_newly_erased') -%}
    {%- if scoped -%}
        {%- set written_since = last_logged_build() -%}
        {%- do replace_table_as(
            newly_erased,
            "select identifier_type, identifier_hash from " ~ erased
            ~ " except select identifier_type, identifier_hash from " ~ applied
        ) -%}
        {%- set newly = run_query(
            "select count(*) from " ~ newly_erased
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {%- for table in tables -%}
        {%- set relation = warehouse_relation('staging', table) -%}
        {%- set hash_columns = erased_hash_columns(relation) -%}
        {%- if hash_columns and table in erased_in_place_tables() -%}
            {#- a table kept across builds (its files are not read again):
                the row stays, for the row accounting and an erased
                person's anonymous sales, without their identifiers -#}
            {%- set present = relation_column_names(relation) -%}
            {%- set cleared = [] -%}
            {%- for column in hash_columns + erased_free_text_columns()
                if column in present -%}
                {%- do cleared.append(column) -%}
            {%- endfor -%}
            {%- set marker = erased_in_place_tables()[table] -%}
            {%- set condition = holds_erased_identifier(relation, erased) -%}
            {%- if scoped and marker -%}
                {%- set condition = '(' ~ marker ~ ' > ' ~ written_since
                    ~ ' and ' ~ condition ~ ')' -%}
                {%- if newly -%}
                    {%- set condition = condition ~ ' or '
                        ~ holds_erased_identifier(relation, newly_erased) -%}
                {%- endif -%}
            {%- endif -%}
            {%- do clear_where(relation, cleared, condition, 'is_erased') -%}
        {%- elif hash_columns -%}
            {%- set ns.tables = ns.tables + 1 -%}
            {%- set ns.rows = ns.rows + delete_counted(
                relation, holds_erased_identifier(relation, erased)
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the raw material of the graph still holds the erased people's
        records: every row of a record that holds an erased identifier. Found
        again here rather than read from int_identity__erased_records: a
        build of a selection may have rebuilt the observations without that
        list, and an erasure must not depend on it -#}
    {%- set observations = warehouse_relation('intermediate', 'int_identity__observations_all') -%}
    {%- if existing_relation(observations) -%}
        {%- if scoped -%}
            {%- set records = erased_record_ids(
                '(select * from ' ~ observations ~ ' where written_at > '
                ~ written_since ~ ')', erased
            ) -%}
            {%- if newly -%}
                {%- set records = records ~ ' union all '
                    ~ erased_record_ids(observations, newly_erased) -%}
            {%- endif -%}
        {%- else -%}
            {%- set records = erased_record_ids(observations, erased) -%}
        {%- endif -%}
        {%- set ns.tables = ns.tables + 1 -%}
        {%- set ns.rows = ns.rows + delete_counted(
            observations, 'record_id in (' ~ records ~ ')'
        ) -%}
    {%- endif -%}
    {#- the rows the incremental models replaced and keep for their readers
        (config meta keeps_replaced_rows: `__replaced` companions, emptied by
        the readers of a whole build; a selective build may leave some):
        those of erased people go, by what the companion holds - records of
        observations, a pair of nodes, an identifier, a device and account;
        a person's rows keep only their ids
        (information_schema, not dbt's cache: the companions are made by
        hooks) -#}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model'
        and node.config.get('meta', {}).get('keeps_replaced_rows') -%}
        {%- set companion = replaced_rows_relation(api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        )) -%}
        {%- set columns = relation_column_names(companion) -%}
        {%- if not columns -%}
            {#- not made yet -#}
        {%- elif 'record_id' in columns and 'identifier_hash' in columns -%}
            {%- set condition = 'record_id in ('
                ~ erased_record_ids(companion, erased) ~ ')' -%}
        {%- elif 'node_a' in columns -%}
            {%- set erased_nodes = "select "
                ~ identifier_node_id('e.identifier_hash') ~ " from " ~ erased
                ~ " as e" -%}
            {%- set condition = 'node_a in (' ~ erased_nodes ~ ') or node_b in ('
                ~ erased_nodes ~ ')' -%}
        {%- elif 'identifier_hash' in columns -%}
            {%- set condition = "exists (select 1 from " ~ erased ~ " as e"
                ~ " where e.identifier_type = " ~ companion ~ ".identifier_type"
                ~ " and e.identifier_hash = " ~ companion ~ ".identifier_hash)" -%}
        {%- elif 'person_id' in columns or 'conversion_id' in columns -%}
            {#- the rows of a person's journey material (touchpoints,
                conversions, sessions, credits): their readers need only
                their ids (the person to compute again, the keys to delete)
                and the marker; every other column is cleared -#}
            {%- set condition = none -%}
            {%- set cleared = [] -%}
            {%- for column in columns
                if not column.endswith('_id') and column != 'replaced_at' -%}
                {%- do cleared.append(column) -%}
            {%- endfor -%}
            {%- if cleared -%}
                {%- do clear_where(companion, cleared) -%}
            {%- endif -%}
        {%- elif 'device_key' in columns -%}
            {%- set condition = "device_key in (select e.identifier_hash from "
                ~ erased ~ " as e) or user_id_hash in (select e.identifier_hash"
                ~ " from " ~ erased ~ " as e)" -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                companion ~ " keeps replaced rows, but the erasure has no rule"
                ~ " for what they hold (record_id, node_a, identifier_hash,"
                ~ " person_id, conversion_id or device_key)"
            ) }}
        {%- endif -%}
        {%- if columns and condition -%}
            {%- set ns.rows = ns.rows + delete_counted(companion, condition) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- every row kept has now been checked against the whole list -#}
    {%- do replace_table_as(
        applied,
        'select distinct identifier_type, identifier_hash from ' ~ erased
    ) -%}
    {%- do run_query('drop table if exists ' ~ newly_erased) -%}
    {#- the list of those records has done its work: it goes too -#}
    {%- set erased_records = existing_relation(
        warehouse_relation('intermediate', 'int_identity__erased_records')
    ) -%}
    {%- if erased_records -%}
        {#- not truncated: Spark then leaves no Parquet file, which a reader
            of the table's folder needs for its columns -#}
        {%- do delete_counted(erased_records, 'true') -%}
    {%- endif -%}
    {{ log("Erasure applied to staging: " ~ ns.rows ~ " row(s) of erased people deleted"
        ~ " (or, in the kept event lines, cleared of their identifiers) in "
        ~ ns.tables ~ " table(s).", info=true) }}
    {{ return(ns.rows) }}
{%- endmacro %}

{#- What the erasure in staging needs of the engine, dispatched: DuckDB
    deletes and updates in place; Spark's Parquet tables are rewritten
    (spark_rewrite). Every call opens no transaction (run_query), since
    DuckDB's checkpoint after the erasure needs none open. -#}

{% macro erasure_staging_tables() -%}
    {#- The staging tables (not the views) the erasure checks, and whether
        the erased-identifier list (int_identity__erased_identifiers)
        exists: (names, listed). -#}
    {{ return(adapter.dispatch('erasure_staging_tables', 'customer_journey')()) }}
{%- endmacro %}

{% macro default__erasure_staging_tables() -%}
    {%- set found = run_query(
        "select table_name, table_schema = 'intermediate' from information_schema.tables"
        ~ " where table_catalog = '" ~ target.database ~ "'"
        ~ " and ((table_schema = 'staging' and table_type = 'BASE TABLE')"
        ~ " or (table_schema = 'intermediate'"
        ~ " and table_name = 'int_identity__erased_identifiers')) order by 1"
    ) -%}
    {%- set tables = [] -%}
    {%- set ns = namespace(listed=false) -%}
    {%- for name, is_list in found.rows -%}
        {%- if is_list -%}
            {%- set ns.listed = true -%}
        {%- else -%}
            {%- do tables.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return((tables, ns.listed)) }}
{%- endmacro %}

{% macro spark__erasure_staging_tables() -%}
    {#- Spark: the metastore's tables in staging but its views (`show
        tables` lists both). -#}
    {%- if not run_query("show databases like 'staging'").rows -%}
        {{ return(([], false)) }}
    {%- endif -%}
    {%- set views = run_query('show views in staging').columns[1].values() | list -%}
    {%- set tables = [] -%}
    {%- for row in run_query('show tables in staging').rows
        if not row[2] and row[1] not in views -%}
        {%- do tables.append(row[1]) -%}
    {%- endfor -%}
    {%- set listed = existing_relation(warehouse_relation(
        'intermediate', 'int_identity__erased_identifiers'
    )) is not none -%}
    {{ return((tables | sort, listed)) }}
{%- endmacro %}

{% macro relation_column_names(relation) -%}
    {#- A relation's column names in their order, as the database holds it
        now (not dbt's cache: the companions are made by hooks); none for a
        relation that does not exist. -#}
    {{ return(adapter.dispatch('relation_column_names', 'customer_journey')(relation)) }}
{%- endmacro %}

{% macro default__relation_column_names(relation) -%}
    {{ return(run_query(
        "select column_name from information_schema.columns"
        ~ " where table_catalog = '" ~ relation.database ~ "'"
        ~ " and table_schema = '" ~ relation.schema ~ "'"
        ~ " and table_name = '" ~ relation.identifier ~ "'"
        ~ " order by ordinal_position"
    ).columns[0].values() | list) }}
{%- endmacro %}

{% macro spark__relation_column_names(relation) -%}
    {#- Spark: `describe` through dbt-spark, once the metastore lists the
        table (a describe of a missing one logs Spark's error, though dbt
        takes it as none). -#}
    {%- if existing_relation(relation) is none -%}{{ return([]) }}{%- endif -%}
    {{ return(adapter.get_columns_in_relation(relation) | map(attribute='name') | list) }}
{%- endmacro %}

{% macro replace_table_as(relation, sql) -%}
    {#- Makes a table of a query's rows, in place of any of that name. -#}
    {{ return(adapter.dispatch('replace_table_as', 'customer_journey')(relation, sql)) }}
{%- endmacro %}

{% macro default__replace_table_as(relation, sql) -%}
    {%- do run_query('create or replace table ' ~ relation ~ ' as ' ~ sql) -%}
{%- endmacro %}

{% macro spark__replace_table_as(relation, sql) -%}
    {#- Spark replaces only Delta and other v2 tables: a Parquet table is
        dropped and made again. -#}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {%- do run_query('create table ' ~ relation ~ ' using parquet as ' ~ sql) -%}
{%- endmacro %}

{% macro delete_counted(relation, condition) -%}
    {#- Deletes the rows of a table meeting a condition; returns how many
        went. -#}
    {{ return(adapter.dispatch('delete_counted', 'customer_journey')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_counted(relation, condition) -%}
    {%- set deleted = run_query('delete from ' ~ relation ~ ' where ' ~ condition) -%}
    {{ return(deleted.columns[0].values()[0] if deleted.rows else 0) }}
{%- endmacro %}

{% macro spark__delete_counted(relation, condition) -%}
    {#- Spark: counted first; a table with none to delete is not
        rewritten. -#}
    {%- set found = run_query(
        'select count(*) from ' ~ relation ~ ' where coalesce((' ~ condition ~ '), false)'
    ).columns[0].values()[0] -%}
    {%- if found -%}
        {%- do spark_delete_where(relation, condition) -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}

{% macro clear_where(relation, columns, condition=none, flag=none) -%}
    {#- Sets `columns` to null in the rows of a table meeting `condition`
        (every row without one) and, with a flag column, sets it true. -#}
    {{ return(adapter.dispatch('clear_where', 'customer_journey')(relation, columns, condition, flag)) }}
{%- endmacro %}

{% macro default__clear_where(relation, columns, condition, flag) -%}
    {%- set assignments = [] -%}
    {%- for column in columns -%}
        {%- do assignments.append(column ~ ' = null') -%}
    {%- endfor -%}
    {%- if flag -%}{%- do assignments.append(flag ~ ' = true') -%}{%- endif -%}
    {%- do run_query(
        'update ' ~ relation ~ ' set ' ~ assignments | join(', ')
        ~ (' where ' ~ condition if condition else '')
    ) -%}
{%- endmacro %}

{% macro spark__clear_where(relation, columns, condition, flag) -%}
    {#- Spark: a rewrite of the table (spark_rewrite), the condition
        evaluated once per row; a column keeps its type. -#}
    {%- set selected = [] -%}
    {%- for column in relation_column_names(relation) -%}
        {%- if column in columns -%}
            {%- do selected.append(
                'case when journey_cleared then null else `' ~ column ~ '` end as `' ~ column ~ '`'
            ) -%}
        {%- elif column == flag -%}
            {%- do selected.append(
                'case when journey_cleared then true else `' ~ column ~ '` end as `' ~ column ~ '`'
            ) -%}
        {%- else -%}
            {%- do selected.append('`' ~ column ~ '`') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do spark_rewrite(
        relation,
        'select ' ~ selected | join(', ') ~ ' from (select *, coalesce(('
        ~ (condition or 'true') ~ '), false) as journey_cleared from ' ~ relation ~ ') as flagged'
    ) -%}
{%- endmacro %}

{% macro export_parquet(folder, schemas=['marts', 'reference'], materializations=none) -%}
    {#- run-operation: every relation (table or view) of the given schemas
        written as Parquet to <folder>/<schema>/<relation>/, for any reader
        of Parquet (DuckDB, Polars, a BI tool's file connector). On Spark the
        way to hand the marts to a reader outside the cluster's catalog; on
        DuckDB the served file is the warehouse, and this is an export of
        it. Only the project's own relations (not dbt's work tables, not
        the `__replaced` companions), those of the given materializations
        if any are given (`[view]`: the views alone; Spark's tables are
        Parquet files already); a folder there already is replaced. -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set ns = namespace(relations=0) -%}
    {%- for relation in export_relations(schemas, materializations) -%}
        {%- do adapter.dispatch('export_parquet_relation', 'customer_journey')(
            relation, folder.rstrip('/') ~ '/' ~ relation.schema ~ '/' ~ relation.identifier
        ) -%}
        {%- set ns.relations = ns.relations + 1 -%}
    {%- endfor -%}
    {{ log("Exported " ~ ns.relations ~ " relation(s) of " ~ schemas | join(', ')
        ~ " as Parquet to " ~ folder, info=true) }}
{%- endmacro %}

{% macro export_relations(schemas, materializations=none) -%}
    {#- The relations export_parquet writes: the models, seeds and snapshots
        of the schemas that exist (of the given materializations, if any),
        where dbt builds them (on DuckDB the served ones are in the served
        file). -#}
    {%- set found = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type in ('model', 'seed', 'snapshot')
        and node.schema in schemas
        and (materializations is none or node.config.materialized in materializations) -%}
        {%- set relation = existing_relation(api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        )) -%}
        {%- if relation is not none -%}{%- do found.append(relation) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{% macro default__export_parquet_relation(relation, path) -%}
    {#- DuckDB makes the last folder of a path only: the journey.serving
        plugin's journey_make_folder makes its parents. -#}
    {%- do run_query(
        "select journey_make_folder('" ~ path.rsplit('/', 1)[0] | replace("'", "''") ~ "')"
    ) -%}
    {%- do run_query(
        "copy (select * from " ~ relation ~ ") to '" ~ path | replace("'", "''")
        ~ "' (format parquet, per_thread_output true, overwrite true)"
    ) -%}
{%- endmacro %}

{% macro spark__export_parquet_relation(relation, path) -%}
    {%- do run_query(
        'insert overwrite directory ' ~ spark_string(path) ~ ' using parquet select * from ' ~ relation
    ) -%}
{%- endmacro %}
