{#- Incremental strategies of the project's own, beside dbt's. -#}

{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {#- `replace_keys`: the batch replaces, whole, every key (unique_key, a
        column or a list of columns) it names. All the target's rows of
        those keys are deleted, then the batch's rows are inserted, but the
        rows whose `key_only_column` (in the model's meta config) is null:
        they only name a key that has no row left (a device all of whose
        events were erased). delete+insert cannot remove a key without
        putting a row back. A model whose pre-hook already deleted some of
        the keys names the batch rows whose keys are still to delete (meta
        `deleted_keys_where`, a condition on the batch). -#}
    {{ return(adapter.dispatch('replace_keys_sql', 'customer_journey')(arg_dict)) }}
{%- endmacro %}

{% macro default__replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set key_only_column = config.meta_require('key_only_column') -%}
    {%- set columns = get_quoted_csv(
        arg_dict['dest_columns'] | map(attribute='name')
    ) -%}
    {%- set deleted_where = config.get('meta', {}).get('deleted_keys_where') -%}
    {%- if config.get('meta', {}).get('keeps_replaced_rows') %}
    {%- set replaced = replaced_rows_relation(target) %}
    create table if not exists {{ replaced }} as
    select {{ columns }}, {{ loaded_at() }} as replaced_at
    from {{ target }}
    where 1 = 0;

    insert into {{ replaced }} ({{ columns }}, replaced_at)
    select {{ columns }}, {{ loaded_at() }}
    from {{ target }}
    where exists (
        select 1 from {{ batch }}
        where
        {%- for key in keys %}
            {{ batch }}.{{ key }} = {{ target }}.{{ key }}
            {%- if not loop.last %} and{% endif %}
        {%- endfor %}
    );
    {%- endif %}

    delete from {{ target }}
    using (
        select distinct {{ keys | join(', ') }} from {{ batch }}
        {%- if deleted_where %} where {{ deleted_where }}{% endif %}
    ) as batch_keys
    where
    {%- for key in keys %}
        {{ target }}.{{ key }} = batch_keys.{{ key }}
        {%- if not loop.last %} and{% endif %}
    {%- endfor %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ batch }}
    where {{ key_only_column }} is not null
{%- endmacro %}

{% macro replaced_rows_relation(relation) -%}
    {#- Where `replace_keys` keeps the rows it replaced (model config meta
        keeps_replaced_rows): `<relation>__replaced`, the target's columns
        and replaced_at, the marker of the build that replaced them. A
        model that reads the target incrementally learns from it what the
        builds since its own took away; it empties what it has read
        (prune_replaced_rows). -#}
    {{ return(api.Relation.create(
        database=relation.database,
        schema=relation.schema,
        identifier=relation.identifier ~ '__replaced',
        type='table'
    )) }}
{%- endmacro %}

{% macro drop_replaced_rows() -%}
    {#- pre-hook of a model whose strategy keeps its replaced rows: a build
        that writes the table whole starts the list again (the columns may
        have changed) -#}
    {%- if execute and not is_incremental() -%}
        {% do adapter.drop_relation(replaced_rows_relation(this)) %}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro create_replaced_rows() -%}
    {#- post-hook of the same model: the list exists, empty after a build
        that wrote the table whole, so that a reader can always read it -#}
    create table if not exists {{ replaced_rows_relation(this) }}
    {%- if target.type == 'spark' %} using parquet{% endif %} as
    select *, {{ loaded_at() }} as replaced_at
    from {{ this }}
    where 1 = 0
{%- endmacro %}

{% macro written_or_replaced_since(relation, column, marker, since) -%}
    {#- The values of `column` in the rows of `relation` (a model that
        keeps its replaced rows) written since `since` (its marker column
        `marker`) or replaced since (its `__replaced` companion): what a
        reader has to take again. -#}
    select written.{{ column }}
    from {{ relation }} as written
    where written.{{ marker }} > {{ since }}
    union
    select replaced.{{ column }}
    from {{ replaced_rows_relation(relation) }} as replaced
    where replaced.replaced_at > {{ since }}
{%- endmacro %}

{% macro prune_replaced_rows(relation, through) -%}
    {#- post-hook of the last model that reads `relation`'s replaced rows
        (which create_replaced_rows keeps in existence): those replaced at
        or before `through` (a scalar SQL expression: the marker every
        reader has read up to) are done with -#}
    {{ delete_where(replaced_rows_relation(relation), 'replaced_at <= ' ~ through) }}
{%- endmacro %}

{% macro rewritten_since(relation, column, through) -%}
    {#- Whether no row of `relation` has its marker `column` at or before
        `through`: the relation was written whole since (a full refresh of
        it alone, or its working file lost), and a model reading it
        incrementally from that marker must take every key again. -#}
    {{ return(execute and run_query(
        "select count(*) from " ~ relation ~ " where " ~ column ~ " <= "
        ~ through
    ).columns[0].values()[0] == 0) }}
{%- endmacro %}

{% macro incremental_watermark(column) -%}
    {#- The latest value of `column` (a timestamp marker) the incremental
        model's own table holds; 1900-01-01 when the table is empty. When a
        model runs, a constant read just before (a filter on a constant can
        skip the row groups loaded earlier, one on a subquery cannot); in a
        unit test, whose `this` is a fixture, the same as a subquery. -#}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set latest = run_query(
            "select coalesce(max(" ~ column ~ "), cast('1900-01-01' as timestamp))"
            ~ " from " ~ this
        ).columns[0].values()[0] -%}
        cast('{{ latest }}' as timestamp)
    {%- else -%}
        (
            select
                coalesce(
                    max(previous.{{ column }}),
                    cast('1900-01-01' as timestamp)
                )
            from {{ this }} as previous
        )
    {%- endif -%}
{%- endmacro %}

{% macro key_only_rows(keys, columns=none) -%}
    {#- The select list of key-only rows for replace_keys: for each column of
        the model's table, in its order, the expression `keys` maps it to
        (the key columns), or null (every other column). The caller writes
        `union all select {{ key_only_rows(...) }} from ...`. The columns
        are the table's (on an incremental run it exists), or `columns`,
        the model's own in its order, for a model whose incremental run a
        unit test checks (its `this` is a fixture). -#}
    {%- if columns is none and this is string -%}
        {{ exceptions.raise_compiler_error(
            "key_only_rows: in a unit test of an incremental run, name the"
            ~ " model's columns (argument columns)"
        ) }}
    {%- endif -%}
    {%- set names = columns if columns is not none
        else adapter.get_columns_in_relation(this)
        | map(attribute='name') | list -%}
    {%- for name in names %}
        {{ keys[name] if name in keys else 'null' }} as {{ name }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro key_only_rows_of_files(files) -%}
    {#- For a table replaced by file (replace_keys on source_file), on an
        incremental run: `union all` one key-only row per file read (every
        column null but source_file), so that a file read again that no
        longer yields a row (cut short, not gzip, emptied) still replaces
        its earlier rows. The columns are the table's own, in its order;
        nothing on a full build, or when no file is read. -#}
    {%- if execute and is_incremental() and files -%}
        {%- set columns = adapter.get_columns_in_relation(this) -%}
    union all
    select
        {%- for column in columns %}
        {%- if column.name == 'source_file' %}
        files_read.file_path as source_file
        {%- else %}
        cast(null as {{ column.data_type }}) as {{ column.name }}
        {%- endif %}
        {{- "," if not loop.last }}
        {%- endfor %}
    from (
        values
        {%- for path in files %}
            ({{ sql_string(path) }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as files_read (file_path)
    {%- endif -%}
{%- endmacro %}

{% macro rows_that_changed(rows, keys, marker, scope=none) -%}
    {#- The select of a model compared with its own table (replace_keys on
        `keys`, keeps_replaced_rows): `rows`, the name of the CTE that holds
        every row the model has now, becomes, on an incremental run, its
        rows that the table does not hold as they are (new, or a column
        changed), marked with this build's `marker` column, and a key-only
        row for every key the table holds that `rows` no longer does. A
        model computed whole this way tells its readers exactly which rows
        changed: those with a newer marker, and the ones it replaced (its
        `__replaced` companion). On a full build: every row, marked. With
        `scope` (a condition on the table's rows, aliased `previous`), `rows`
        holds only the rows of that scope, computed again: keys outside it
        are kept. -#}
    {%- set keys = [keys] if keys is string else keys -%}
    select
        {{ rows }}.*,
        {{ loaded_at() }} as {{ marker }}
    from {{ rows }}
    {%- if is_incremental() %}
        {%- set columns = adapter.get_columns_in_relation(this)
            | map(attribute='name') | reject('equalto', marker) | list %}
        where not exists (
            select 1
            from {{ this }} as previous
            where
            {%- for column in columns %}
                previous.{{ column }} is not distinct from {{ rows }}.{{ column }}
                {%- if not loop.last %} and{% endif %}
            {%- endfor %}
        )
        union all
        -- a key the table holds that the model no longer yields: a row of
        -- its key alone, for replace_keys to delete it
        {%- set key_map = {} %}
        {%- for key in keys %}
            {%- do key_map.update({key: 'previous.' ~ key}) %}
        {%- endfor %}
        select {{ key_only_rows(key_map) }}
        from {{ this }} as previous
        where
            {%- if scope %}
                ({{ scope }}) and
            {%- endif %}
            not exists (
            select 1
            from {{ rows }}
            where
            {%- for key in keys %}
                {{ rows }}.{{ key }} = previous.{{ key }}
                {%- if not loop.last %} and{% endif %}
            {%- endfor %}
        )
    {%- endif %}
{%- endmacro %}

{% macro changed_persons(person_changes, marker='refreshed_at') -%}
    {#- The persons int_journeys__person_changes (the relation
        `person_changes`) lists as changed since the latest `marker` the
        model's own table holds: a query for `in (...)` or `from (...)`. -#}
    select person_changes.person_id
    from {{ person_changes }} as person_changes
    where
        person_changes.changed_at > {{ incremental_watermark(marker) }}
{%- endmacro %}

{% macro of_changed_persons(person_changes, keyword='where', marker='refreshed_at') -%}
    {#- For a model computed a person at a time (replace_keys on person_id,
        marker refreshed_at, or written by what changed with `marker`): on an
        incremental run, `<keyword> person_id in (...)`, the persons changed
        since the model's latest marker (macro changed_persons); nothing on a
        full build. Put on each of the model's inputs. -#}
    {%- if is_incremental() %}
        {{ keyword }} person_id in (
            {{ changed_persons(person_changes, marker) }}
        )
    {%- endif %}
{%- endmacro %}

{% macro key_only_rows_of_changed_persons(person_changes) -%}
    {#- The same model's key-only rows: on an incremental run, `union all`
        one row per person changed since its latest marker, every column
        null but person_id, for replace_keys to delete the person's rows
        (those the build computes again are inserted after). -#}
    {%- if is_incremental() %}
        union all
        select {{ key_only_rows({'person_id': 'changed.person_id'}) }}
        from ({{ changed_persons(person_changes) }}) as changed
    {%- endif %}
{%- endmacro %}

{% macro where_written_since(marker) -%}
    {#- For a copy of a table written by what changed (a mart served as its
        intermediate model is): on an incremental run, `where <marker> >`
        the latest marker the copy holds (it keeps its source's marker
        column), so that only the rows written since are read; nothing on a
        full build. -#}
    {%- if is_incremental() %}
        where {{ marker }} > {{ incremental_watermark(marker) }}
    {%- endif %}
{%- endmacro %}

{% macro key_only_rows_of_replaced(relation, keys, marker) -%}
    {#- The same copy's key-only rows, added with `union all` on an
        incremental run: one per key `relation` (its source) replaced since
        the copy's latest marker (its `__replaced` companion), for
        replace_keys to delete the copy's row; a key written again is
        inserted again from the source's rows. -#}
    {%- set keys = [keys] if keys is string else keys -%}
    {%- if is_incremental() %}
        {%- set key_map = {} %}
        {%- for key in keys %}
            {%- do key_map.update({key: 'replaced.' ~ key}) %}
        {%- endfor %}
        union all
        select {{ key_only_rows(key_map) }}
        from {{ replaced_rows_relation(relation) }} as replaced
        where replaced.replaced_at > {{ incremental_watermark(marker) }}
    {%- endif %}
{%- endmacro %}

{% macro read_through(readers) -%}
    {#- The marker up to which every reader of a `__replaced` companion has
        read it: the least of the latest markers its readers hold (a list of
        [relation, marker column] pairs), for the last reader to prune it
        (macro prune_replaced_rows) after the others. A reader given as none
        (macro later_reader: not built yet) has read nothing it needs. -#}
    {%- set built = [] %}
    {%- for reader in readers if reader[0] is not none %}
        {%- do built.append(reader) %}
    {%- endfor %}
    {#- least() of one value is an error on Spark -#}
    {{ 'least(' if built | length > 1 else '(' }}
    {%- for reader in built %}
        (
            select
                coalesce(
                    max({{ reader[1] }}), cast('1900-01-01' as {{ dbt.type_timestamp() }})
                )
            from {{ reader[0] }}
        ){{ "," if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{% macro later_reader(model_name) -%}
    {#- The relation of a model that reads a `__replaced` companion but runs
        after the model that prunes it (a ref would make it that model's
        parent), for read_through: found in dbt's graph, none while parsing
        and until its first build (which reads no companion: it computes
        every row). -#}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(existing_relation(api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        ))) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{% macro delete_data_driven_credits() -%}
    {#- pre-hook of fct_attribution: on an incremental run, its data-driven
        rows go (the build inserts them all again: a day's journeys move
        nearly every one); on a full build, nothing. -#}
    {%- if is_incremental() %}
        {%- set models = [] %}
        {%- for model_name in data_driven_attribution_models() %}
            {%- do models.append("'" ~ model_name ~ "'") %}
        {%- endfor %}
        {{ delete_where(this, 'attribution_model in (' ~ models | join(', ') ~ ')') }}
    {%- else %}
        select 1
    {%- endif %}
{%- endmacro %}

{% macro common_subplans(enabled) -%}
    {#- pre-hook (false) and post-hook (true) of a model whose incremental
        run filters a view it reads twice by a small set of keys: DuckDB
        1.5's common-subplan optimizer computes the view once, whole, before
        the filter (int_identity__identifiers: 13 s at 1M persons for a
        build with nothing new, against 0.03 s without it). Other engines:
        nothing. -#}
    {{ return(adapter.dispatch('common_subplans', 'customer_journey')(enabled)) }}
{%- endmacro %}

{% macro default__common_subplans(enabled) -%}
    select 1
{%- endmacro %}

{% macro duckdb__common_subplans(enabled) -%}
    {%- if enabled -%}
        reset disabled_optimizers
    {%- else -%}
        set disabled_optimizers = 'common_subplan'
    {%- endif -%}
{%- endmacro %}

{% macro delete_where(relation, condition) -%}
    {#- A statement (for a hook) that deletes the rows of `relation` meeting
        `condition`; dispatched: Parquet on Spark has no delete (macro
        spark_delete_where). -#}
    {{ return(adapter.dispatch('delete_where', 'customer_journey')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_where(relation, condition) -%}
    delete from {{ relation }}
    where {{ condition }}
{%- endmacro %}

{% macro spark__delete_where(relation, condition) -%}
    {%- if execute -%}{%- do spark_delete_where(relation, condition) -%}{%- endif -%}
    select 1
{%- endmacro %}
