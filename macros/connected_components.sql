{#- Connected components in SQL, converging in a logarithmic number of rounds
    (min-label hooking, pointer jumping and graph contraction, after
    Shiloach and Vishkin).

    Edges are kept once, undirected, as (node_low, node_high) with
    node_low < node_high. A phase works on what is left of the graph:
      1. hook: every node with a smaller neighbour points at the smallest one;
         with the ends ordered that is the least node_low of the edges whose
         node_high it is, so the hook is one aggregate over the edges (not
         over both directions). A node without a smaller neighbour is a root
         and has no row: parent maps hold only the nodes that move;
      2. pointer jumps: parent(v) := parent(parent(v)) until every node points
         at the root of its tree (each jump halves every chain);
      3. contraction: every edge is replaced by the edge between the roots of
         its ends, ordered; edges inside a tree vanish, duplicates merge. The
         phase after works on these edges alone.
    The first phase reads the caller's edges as they are: no copy of them.
    When no edge is left, the phases' parent maps are composed from the last
    to the first (one join per phase), which labels every node.
    Every node ends labelled with the smallest node id of its component: that
    node never has a smaller neighbour, so it stays a root in every phase.
    Rounds (hooks and jumps) grow with the logarithm of the longest chain,
    where propagating a label one hop per round takes its length.

    The loop runs in the materialisation of the calling model (pre-hook), with
    dbt's cross-database create_table_as, drop_relation and rename_relation,
    so another adapter can run it. Each step is committed: DuckDB works on
    large tables about twice as fast outside a long transaction, and work
    tables need no rollback. Every join is on equality of one column; a
    comparison of two joined labels is always a filter (with stale statistics
    inside a transaction, an optimiser once made one an inequality join). -#}

{% macro components_relation(base, suffix) -%}
    {{ return(api.Relation.create(
        database=base.database,
        schema=base.schema,
        identifier=base.identifier ~ '__' ~ suffix,
        type='table'
    )) }}
{%- endmacro %}

{% macro _cc_replace(relation, sql) -%}
    {% do adapter.drop_relation(relation) %}
    {% do run_query(dbt.create_table_as(False, relation, sql)) %}
    {% do adapter.commit() %}
{%- endmacro %}

{% macro _cc_scalar(sql) -%}
    {{ return(run_query(sql).columns[0].values()[0]) }}
{%- endmacro %}

{% macro _cc_rename_over(source, target) -%}
    {#- target := source, in one step that needs no copy -#}
    {% do adapter.drop_relation(target) %}
    {% do adapter.rename_relation(source, target) %}
    {% do adapter.commit() %}
{%- endmacro %}

{% macro connected_components(edges_sql, nodes_sql, output, max_rounds=100) -%}
    {#- edges_sql selects (node_a, node_b) integer pairs, nodes_sql selects
        node_id; output is the relation written with (node_id, component_id,
        rounds). Returns the number of rounds. -#}
    {%- if not execute -%}{{ return(0) }}{%- endif -%}
    {%- set edges = components_relation(output, 'edges') -%}
    {%- set contracted = components_relation(output, 'contracted') -%}
    {%- set labels = components_relation(output, 'labels') -%}
    {%- set nxt = components_relation(output, 'next') -%}
    {%- set work = [edges, contracted, labels, nxt] -%}

    {#- the caller's edges, each once with its ends ordered; loops dropped -#}
    {%- set state = namespace(rounds=0, phase=0, done=false, edges=(
        "(select least(node_a, node_b) as node_low,"
        ~ " greatest(node_a, node_b) as node_high from (" ~ edges_sql ~ ") as s"
        ~ " where node_a <> node_b)")) -%}
    {%- for _ in range(max_rounds) -%}
        {%- if not state.done and _cc_scalar(
            "select count(*) from " ~ state.edges ~ " as e") == 0 -%}
            {%- set state.done = true -%}
        {%- endif -%}
        {%- if not state.done -%}
            {%- set state.phase = state.phase + 1 -%}
            {%- set state.rounds = state.rounds + 1 -%}
            {%- set parents = components_relation(
                output, 'parents_' ~ state.phase) -%}
            {%- do work.append(parents) -%}
            {#- 1. hook every node that has a smaller neighbour to the smallest -#}
            {{ _cc_replace(parents,
                "select e.node_high as node, min(e.node_low) as parent from "
                ~ state.edges ~ " as e group by e.node_high") }}
            {#- 2. pointer jumps until every node points at a root -#}
            {{ _cc_pointer_jumps(parents, nxt, state, max_rounds) }}
            {#- 3. contract the edges to the roots of their ends (a node_high
                always moved; a node_low may be a root) -#}
            {{ _cc_replace(contracted,
                "select distinct least(r.low_root, r.high_root) as node_low,"
                ~ " greatest(r.low_root, r.high_root) as node_high from ("
                ~ "select coalesce(l.parent, e.node_low) as low_root,"
                ~ " h.parent as high_root from " ~ state.edges ~ " as e"
                ~ " inner join " ~ parents ~ " as h on h.node = e.node_high"
                ~ " left join " ~ parents ~ " as l on l.node = e.node_low"
                ~ ") as r where r.low_root <> r.high_root") }}
            {{ _cc_rename_over(contracted, edges) }}
            {%- set state.edges = edges -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not state.done -%}
        {{ exceptions.raise_compiler_error(
            "connected components did not converge in " ~ max_rounds
            ~ " phases (raise the identity_max_rounds var)") }}
    {%- endif -%}
    {#- compose the phases' maps, last to first: a node that moved in phase k
        takes the label its root got in a later phase, else that root; the
        nodes that moved later keep their labels -#}
    {{ _cc_replace(labels,
        "select cast(null as bigint) as node, cast(null as bigint) as label"
        ~ " where 1 = 0") }}
    {%- for phase in range(state.phase, 0, -1) -%}
        {{ _cc_replace(nxt,
            "select p.node, coalesce(l.label, p.parent) as label from "
            ~ components_relation(output, 'parents_' ~ phase) ~ " as p"
            ~ " left join " ~ labels ~ " as l on l.node = p.parent"
            ~ " union all select node, label from " ~ labels) }}
        {{ _cc_rename_over(nxt, labels) }}
    {%- endfor -%}
    {{ _cc_replace(output,
        "select n.node_id, coalesce(l.label, n.node_id) as component_id, "
        ~ state.rounds ~ " as rounds from (" ~ nodes_sql ~ ") as n"
        ~ " left join " ~ labels ~ " as l on l.node = n.node_id") }}
    {%- for relation in work -%}
        {% do adapter.drop_relation(relation) %}
    {%- endfor -%}
    {% do adapter.commit() %}
    {{ return(state.rounds) }}
{%- endmacro %}

{% macro _cc_pointer_jumps(parents, nxt, state, max_rounds) -%}
    {#- parent(v) := parent(parent(v)) until nothing changes; counts rounds.
        A parent without a row is a root: the node stays. -#}
    {%- set jumps = namespace(done=false) -%}
    {%- for _ in range(max_rounds) -%}
        {%- if not jumps.done -%}
            {{ _cc_replace(nxt,
                "select p.node, coalesce(g.parent, p.parent) as parent,"
                ~ " g.parent is not null as moved from " ~ parents ~ " as p"
                ~ " left join " ~ parents ~ " as g on g.node = p.parent") }}
            {%- if _cc_scalar(
                "select count(*) from " ~ nxt ~ " where moved") == 0 -%}
                {%- set jumps.done = true -%}
            {%- else -%}
                {%- set state.rounds = state.rounds + 1 -%}
                {{ _cc_rename_over(nxt, parents) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro run_connected_components(edges_table, nodes_table, output_table) -%}
    {#- run-operation entry point, for tests and the benchmark: components of
        the edges (node_a, node_b) of one table over the node_id of another,
        in the target schema. -#}
    {%- set rel = api.Relation.create(
        database=target.database, schema=target.schema,
        identifier=output_table, type='table'
    ) -%}
    {%- set rounds = connected_components(
        "select node_a, node_b from " ~ edges_table,
        "select node_id from " ~ nodes_table,
        rel,
        var('identity_max_rounds')
    ) -%}
    {% do adapter.commit() %}
    {{ log("connected components: " ~ rounds ~ " rounds", info=true) }}
{%- endmacro %}

{% macro identity_components() -%}
    {#- pre-hook of int_identity__components. Pass 1: components of the
        accepted edges. A component that holds two or more account ids
        (joined through identifiers that each saw only one of them) breaks
        the one-account-per-person rule: pass 2 keeps, inside such
        components, only the edges that touch an account id, so every other
        identifier stays with the one account it was seen with or alone. -#}
    {%- if execute -%}
        {%- set identifiers = ref('int_identity__identifiers') -%}
        {%- set edges = ref('int_identity__edges') -%}
        {%- if is_incremental() -%}
            {#- an incremental build labels again the nodes of its scope
                (identity_components_scope) alone: whole components -#}
            {%- set scope = components_relation(this, 'scope') -%}
            {{ _cc_replace(scope, identity_components_scope(
                identifiers, edges, incremental_watermark('labelled_at'))) }}
            {%- set edges_sql = "select e.node_a, e.node_b from " ~ edges
                ~ " as e inner join " ~ scope ~ " as a on a.node_id = e.node_a"
                ~ " inner join " ~ scope ~ " as b on b.node_id = e.node_b"
                ~ " where e.edge_status = 'accepted'" -%}
            {%- set nodes_sql = "select i.node_id from " ~ identifiers
                ~ " as i inner join " ~ scope ~ " as s on s.node_id = i.node_id"
                ~ " where not i.is_rejected" -%}
        {%- else -%}
            {%- set edges_sql = "select node_a, node_b from " ~ edges
                ~ " where edge_status = 'accepted'" -%}
            {%- set nodes_sql = "select node_id from " ~ identifiers
                ~ " where not is_rejected" -%}
        {%- endif -%}
        {%- set first = components_relation(this, 'pass1') -%}
        {%- set result = components_relation(this, 'result') -%}
        {%- set rounds = connected_components(
            edges_sql, nodes_sql, first, var('identity_max_rounds')) -%}
        {%- set conflicted_sql = "select r.component_id from " ~ first
            ~ " as r inner join " ~ identifiers ~ " as i"
            ~ " on i.node_id = r.node_id where i.is_account"
            ~ " group by r.component_id having count(*) > 1" -%}
        {%- if _cc_scalar(
            "select count(*) from (" ~ conflicted_sql ~ ") as c") == 0 -%}
            {{ _cc_replace(result, "select * from " ~ first) }}
        {%- else -%}
            {%- set kept_sql = "select e.node_a, e.node_b from ("
                ~ edges_sql ~ ") as e"
                ~ " inner join " ~ first ~ " as r on r.node_id = e.node_a"
                ~ " inner join " ~ identifiers ~ " as a on a.node_id = e.node_a"
                ~ " inner join " ~ identifiers ~ " as b on b.node_id = e.node_b"
                ~ " left join (" ~ conflicted_sql ~ ") as c"
                ~ " on c.component_id = r.component_id"
                ~ " where c.component_id is null or a.is_account"
                ~ " or b.is_account" -%}
            {%- do connected_components(
                kept_sql, nodes_sql, result, var('identity_max_rounds')) -%}
        {%- endif -%}
        {% do adapter.drop_relation(first) %}
        {% do adapter.commit() %}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro identity_components_scope(identifiers, edges, labelled_through) -%}
    {#- The nodes an incremental build of int_identity__components labels
        again: every node judged or summed into an edge since the table was
        labelled (`labelled_through`), every node dropped since, and every
        node of the components those nodes were in. A component the changes
        form joins old components that each hold a changed node, and a
        component they split holds one, so the scope holds whole components
        and their labels (the smallest node id) are those of the whole
        graph. Every node when the identifiers or the edges were written
        whole since. -#}
    {%- if rewritten_since(identifiers, 'judged_at', labelled_through)
        or rewritten_since(edges, 'summed_at', labelled_through) -%}
        select node_id from {{ identifiers }}
        union
        select node_id from {{ this }}
    {%- else -%}
        with changed as (
            select node_id from {{ identifiers }}
            where judged_at > {{ labelled_through }}
            union
            select node_id from {{ replaced_rows_relation(identifiers) }}
            where replaced_at > {{ labelled_through }}
            union
            select node_a from {{ edges }}
            where summed_at > {{ labelled_through }}
            union
            select node_b from {{ edges }}
            where summed_at > {{ labelled_through }}
        )

        select node_id from changed
        union
        select labelled.node_id
        from {{ this }} as labelled
        where labelled.component_id in (
            select previous.component_id
            from {{ this }} as previous
            inner join changed on previous.node_id = changed.node_id
        )
    {%- endif -%}
{%- endmacro %}

{% macro drop_identity_components_work() -%}
    {#- post-hook of int_identity__components -#}
    {%- if execute -%}
        {% do adapter.drop_relation(components_relation(this, 'result')) %}
        {% do adapter.drop_relation(components_relation(this, 'scope')) %}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro noop() -%}
    {#- does nothing: the benchmark times it to measure dbt's start-up -#}
{%- endmacro %}

{% macro nodes_whose_person_changed(components, persons, since) -%}
    {#- For an incremental model keyed by identifier or edge that shows each
        node's person (the identity marts): the nodes int_identity__components
        labelled or replaced since `since`, and the nodes of the components
        int_identity__persons summed up again since (a new person id, another
        count of identifiers). -#}
    {{ written_or_replaced_since(components, 'node_id', 'labelled_at', since) }}
    union
    select labelled.node_id
    from {{ components }} as labelled
    inner join {{ persons }} as summed
        on labelled.component_id = summed.component_id
    where summed.summarized_at > {{ since }}
{%- endmacro %}

{% macro identity_rewritten_since(relations, since) -%}
    {#- Whether any of the identity models (a list of [relation, marker
        column] pairs) was written whole since `since` (macro
        rewritten_since), or is not built (a served mart compiled, or built,
        beside a lost working file): a model reading them incrementally then
        takes every key again. -#}
    {%- for relation, marker in relations -%}
        {%- if existing_relation(relation) is none
            or rewritten_since(relation, marker, since) -%}
            {{ return(true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
