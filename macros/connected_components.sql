{#- Connected components in SQL, converging in a logarithmic number of rounds
    (min-label hooking with pointer jumping, after Shiloach and Vishkin).

    Every node holds a label, the id of a node of its component with an id no
    larger than its own. A round is one query, either
      - a pointer jump: label(v) := label(label(v)), which halves the length
        of every chain of labels, or, once all labels point at roots,
      - a hook: every root r takes the smallest label seen across the edges of
        its members, min(r, label(w) for every edge (v, w) with label(v) = r).
    It stops when a hook changes nothing: every node is then labelled with
    the smallest node id of its component. A chain of n nodes takes about
    log2(n) rounds, where propagating a label one hop per round takes n.

    The loop runs in the materialisation of the calling model (pre-hook), with
    dbt's cross-database create_table_as and drop_relation, so another adapter
    can run it. -#}

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
    {%- set pairs = components_relation(output, 'pairs') -%}

    {{ _cc_replace(edges,
        "select node_a as src, node_b as dst from (" ~ edges_sql ~ ") as e"
        ~ " where node_a <> node_b"
        ~ " union all select node_b, node_a from (" ~ edges_sql ~ ") as e"
        ~ " where node_a <> node_b") }}
    {#- start: each node points at its smallest neighbour (or itself) -#}
    {{ _cc_replace(labels,
        "select n.node_id as node, least(n.node_id, coalesce(min(e.dst),"
        ~ " n.node_id)) as label from (" ~ nodes_sql ~ ") as n"
        ~ " left join " ~ edges ~ " as e on e.src = n.node_id"
        ~ " group by n.node_id") }}

    {%- set state = namespace(rounds=0, done=false) -%}
    {%- for _ in range(max_rounds) -%}
        {%- if not state.done -%}
            {%- set state.rounds = state.rounds + 1 -%}
            {#- pointer jump -#}
            {{ _cc_replace(nxt,
                "select l.node, p.label from " ~ labels ~ " as l"
                ~ " inner join " ~ labels ~ " as p on p.node = l.label") }}
            {%- set jumped = _cc_scalar(
                "select count(*) from " ~ nxt ~ " as n inner join " ~ labels
                ~ " as l on l.node = n.node where l.label <> n.label") -%}
            {%- if jumped == 0 -%}
                {#- labels are roots: hook roots to smaller neighbouring roots.
                    The labels of both ends of every edge are stored first, so
                    that the comparison is a filter on one table and never a
                    join condition between two (an inequality join would blow
                    up if the optimiser picked it). -#}
                {{ _cc_replace(pairs,
                    "select a.label as label_src, b.label as label_dst from "
                    ~ edges ~ " as e inner join " ~ labels ~ " as a"
                    ~ " on a.node = e.src inner join " ~ labels ~ " as b"
                    ~ " on b.node = e.dst") }}
                {{ _cc_replace(nxt,
                    "select l.node, coalesce(h.new_label, l.label) as label"
                    ~ " from " ~ labels ~ " as l left join ("
                    ~ "select label_src, min(label_dst) as new_label from "
                    ~ pairs ~ " where label_dst < label_src"
                    ~ " group by label_src) as h on h.label_src = l.label") }}
                {%- set hooked = _cc_scalar(
                    "select count(*) from " ~ nxt ~ " as n inner join "
                    ~ labels ~ " as l on l.node = n.node"
                    ~ " where l.label <> n.label") -%}
                {%- if hooked == 0 -%}
                    {%- set state.done = true -%}
                {%- endif -%}
            {%- endif -%}
            {%- if not state.done -%}
                {% do adapter.drop_relation(labels) %}
                {% do adapter.rename_relation(nxt, labels) %}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not state.done -%}
        {{ exceptions.raise_compiler_error(
            "connected components did not converge in " ~ max_rounds
            ~ " rounds (raise the identity_max_rounds var)") }}
    {%- endif -%}
    {{ _cc_replace(output,
        "select node as node_id, label as component_id, "
        ~ state.rounds ~ " as rounds from " ~ labels) }}
    {% do adapter.drop_relation(edges) %}
    {% do adapter.drop_relation(labels) %}
    {% do adapter.drop_relation(nxt) %}
    {% do adapter.drop_relation(pairs) %}
    {{ return(state.rounds) }}
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
    {#- pre-hook of int_identity__components -#}
    {%- if execute -%}
        {%- do connected_components(
            "select node_a, node_b from " ~ ref('int_identity__edges')
            ~ " where edge_status = 'accepted'",
            "select node_id from " ~ ref('int_identity__identifiers')
            ~ " where not is_rejected",
            components_relation(this, 'result'),
            var('identity_max_rounds')
        ) -%}
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
