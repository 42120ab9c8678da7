{#- Connected components in SQL, converging in a logarithmic number of rounds
    (min-label hooking with pointer jumping and graph contraction, after
    Shiloach and Vishkin).

    Every node holds a label, the id of a node of its component with an id no
    larger than its own. A round is one step of either kind:
      - a pointer jump: label(v) := label(label(v)), which halves the length
        of every chain of labels; jumps repeat until every label is a root;
      - a contraction and hook: every edge is replaced by the edge between
        the roots of its ends (edges inside one tree vanish, duplicates
        merge), then every root r takes the smallest root it has an edge to.
    It stops when no edge is left between two roots: every node is then
    labelled with the smallest node id of its component. A chain of n nodes
    takes about log2(n) rounds, where propagating a label one hop per round
    takes n, and the edge list shrinks at every hook.

    The loop runs in the materialisation of the calling model (pre-hook), with
    dbt's cross-database create_table_as, drop_relation and rename_relation,
    so another adapter can run it. -#}

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
    {%- set half = components_relation(output, 'half') -%}

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
            {#- pointer jump, keeping the old label to count the changes -#}
            {{ _cc_replace(nxt,
                "select l.node, p.label, l.label as old_label from "
                ~ labels ~ " as l inner join " ~ labels ~ " as p"
                ~ " on p.node = l.label") }}
            {%- set jumped = _cc_scalar(
                "select count(*) from " ~ nxt ~ " where label <> old_label") -%}
            {%- if jumped > 0 -%}
                {{ _cc_replace(labels,
                    "select node, label from " ~ nxt) }}
            {%- else -%}
                {#- every label is a root: contract the edges to the roots,
                    one end at a time. Each step joins two relations on
                    node equality only, so the optimiser cannot turn the
                    comparison of the two labels into an inequality join
                    (with stale statistics inside a transaction, it did). -#}
                {{ _cc_replace(half,
                    "select a.label as src, e.dst from " ~ edges ~ " as e"
                    ~ " inner join " ~ labels ~ " as a on a.node = e.src") }}
                {{ _cc_replace(nxt,
                    "select distinct h.src, b.label as dst from " ~ half
                    ~ " as h inner join " ~ labels ~ " as b on b.node = h.dst"
                    ~ " where h.src <> b.label") }}
                {% do adapter.drop_relation(edges) %}
                {% do adapter.rename_relation(nxt, edges) %}
                {%- set remaining = _cc_scalar(
                    "select count(*) from " ~ edges) -%}
                {%- if remaining == 0 -%}
                    {%- set state.done = true -%}
                {%- else -%}
                    {#- hook every root to the smallest root it touches -#}
                    {{ _cc_replace(nxt,
                        "select l.node, coalesce(h.new_label, l.label) as label"
                        ~ " from " ~ labels ~ " as l left join ("
                        ~ "select src, min(dst) as new_label from " ~ edges
                        ~ " where dst < src group by src) as h"
                        ~ " on h.src = l.label") }}
                    {% do adapter.drop_relation(labels) %}
                    {% do adapter.rename_relation(nxt, labels) %}
                {%- endif -%}
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
    {% do adapter.drop_relation(half) %}
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

{% macro noop() -%}
    {#- does nothing: the benchmark times it to measure dbt's start-up -#}
{%- endmacro %}
