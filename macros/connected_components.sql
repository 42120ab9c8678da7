{#- Connected components in SQL, converging in a logarithmic number of rounds
    (min-label hooking, pointer jumping and graph contraction, after
    Shiloach and Vishkin).

    A phase works on the still-active nodes and the contracted edges:
      1. hook: every active node points at its smallest neighbour (or itself);
      2. pointer jumps: parent(v) := parent(parent(v)) until every node points
         at the root of its tree (each jump halves every chain);
      3. contraction: every edge is replaced by the edge between the roots of
         its ends; edges inside a tree vanish, duplicates merge. The roots
         that still have an edge are the next phase's active nodes.
    When no edge is left, the phases' parent maps are composed from the last
    to the first (one join per phase), which labels every node.
    Every node ends labelled with the smallest node id of its component.
    Rounds (hooks and jumps) grow with the logarithm of the longest chain,
    where propagating a label one hop per round takes its length; and each
    phase only touches what is left of the graph.

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

{% macro connected_components(edges_sql, nodes_sql, output, max_rounds=100) -%}
    {#- edges_sql selects (node_a, node_b) integer pairs, nodes_sql selects
        node_id; output is the relation written with (node_id, component_id,
        rounds). Returns the number of rounds. -#}
    {%- if not execute -%}{{ return(0) }}{%- endif -%}
    {%- set edges = components_relation(output, 'edges') -%}
    {%- set labels = components_relation(output, 'labels') -%}
    {%- set nxt = components_relation(output, 'next') -%}
    {%- set half = components_relation(output, 'half') -%}
    {%- set work = [edges, labels, nxt, half] -%}

    {#- both directions; duplicates are merged by the first contraction -#}
    {{ _cc_replace(edges,
        "select node_a as src, node_b as dst from (" ~ edges_sql ~ ") as e"
        ~ " where node_a <> node_b"
        ~ " union all select node_b, node_a from (" ~ edges_sql ~ ") as e"
        ~ " where node_a <> node_b") }}

    {%- set state = namespace(rounds=0, phase=0, done=false) -%}
    {%- for _ in range(max_rounds) -%}
        {%- if not state.done and _cc_scalar(
            "select count(*) from " ~ edges) == 0 -%}
            {%- set state.done = true -%}
        {%- endif -%}
        {%- if not state.done -%}
            {%- set state.phase = state.phase + 1 -%}
            {%- set state.rounds = state.rounds + 1 -%}
            {%- set parents = components_relation(
                output, 'parents_' ~ state.phase) -%}
            {%- do work.append(parents) -%}
            {#- 1. hook every active node to its smallest neighbour -#}
            {{ _cc_replace(parents,
                "select src as node, least(src, min(dst)) as parent from "
                ~ edges ~ " group by src") }}
            {#- 2. pointer jumps until every node points at a root -#}
            {{ _cc_pointer_jumps(parents, nxt, state, max_rounds) }}
            {#- 3. contract the edges to the roots, one end at a time -#}
            {{ _cc_replace(half,
                "select p.parent as src, e.dst from " ~ edges ~ " as e"
                ~ " inner join " ~ parents ~ " as p on p.node = e.src") }}
            {{ _cc_replace(edges,
                "select distinct h.src, p.parent as dst from " ~ half
                ~ " as h inner join " ~ parents ~ " as p on p.node = h.dst"
                ~ " where h.src <> p.parent") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if not state.done -%}
        {{ exceptions.raise_compiler_error(
            "connected components did not converge in " ~ max_rounds
            ~ " phases (raise the identity_max_rounds var)") }}
    {%- endif -%}
    {#- compose the phases' maps, last to first: a root of phase k that was
        active in phase k + 1 takes the label it got there -#}
    {{ _cc_replace(labels,
        "select cast(null as bigint) as node, cast(null as bigint) as label"
        ~ " where 1 = 0") }}
    {%- for phase in range(state.phase, 0, -1) -%}
        {{ _cc_replace(nxt,
            "select p.node, coalesce(l.label, p.parent) as label from "
            ~ components_relation(output, 'parents_' ~ phase) ~ " as p"
            ~ " left join " ~ labels ~ " as l on l.node = p.parent") }}
        {% do adapter.drop_relation(labels) %}
        {% do adapter.rename_relation(nxt, labels) %}
        {% do adapter.commit() %}
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
    {#- parent(v) := parent(parent(v)) until nothing changes; counts rounds -#}
    {%- set jumps = namespace(done=false) -%}
    {%- for _ in range(max_rounds) -%}
        {%- if not jumps.done -%}
            {{ _cc_replace(nxt,
                "select p.node, g.parent, p.parent <> g.parent as moved from "
                ~ parents ~ " as p inner join " ~ parents ~ " as g"
                ~ " on g.node = p.parent") }}
            {%- if _cc_scalar(
                "select count(*) from " ~ nxt ~ " where moved") == 0 -%}
                {%- set jumps.done = true -%}
            {%- else -%}
                {%- set state.rounds = state.rounds + 1 -%}
                {% do adapter.drop_relation(parents) %}
                {% do adapter.rename_relation(nxt, parents) %}
                {% do adapter.commit() %}
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
        {%- set edges_sql = "select node_a, node_b from "
            ~ ref('int_identity__edges') ~ " where edge_status = 'accepted'" -%}
        {%- set nodes_sql = "select node_id from " ~ identifiers
            ~ " where not is_rejected" -%}
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

{% macro drop_identity_components_work() -%}
    {#- post-hook of int_identity__components -#}
    {%- if execute -%}
        {% do adapter.drop_relation(components_relation(this, 'result')) %}
    {%- endif -%}
    select 1
{%- endmacro %}

{% macro noop() -%}
    {#- does nothing: the benchmark times it to measure dbt's start-up -#}
{%- endmacro %}
