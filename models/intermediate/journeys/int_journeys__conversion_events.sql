-- One row per staged web or app event that the events seed segment_events
-- names as a conversion (an order, a sign-up), with the session it belongs
-- to (int_sessions__sessionized) and what a conversion and its product
-- lines need of the event: no identifier, no free text. The narrow table
-- int_journeys__conversions and int_journeys__conversion_lines read instead
-- of the staged events and the sessionized events (each about 20M rows at 1M
-- persons, of which about one in twenty is a conversion).
--
-- Incremental, replace_keys by event: a conversion event depends on its own
-- line, the other receipts of its messageId and its session alone, so a
-- build adds the events of the lines it loaded, takes again those it held
-- from a file read again (a key-only row for each, and the receipts the
-- staged events now hold of them), and those whose session changed: their
-- device was sessionized again since (int_sessions__sessionized) or they
-- left the sessions (int_sessions__events replaced them since: its
-- `__replaced` companion, which int_sessions__sessionized prunes through
-- what this table has read). When the sessionized events were written whole
-- since (a full refresh of them alone), every event is taken again.
-- written_at marks the build that wrote a row, so that
-- int_journeys__conversions knows what changed. tests_last_load: a daily
-- build's data tests check the rows it wrote.
-- depends_on: {{ ref('stg_web__event_files') }}
-- depends_on: {{ ref('stg_app__event_files') }}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key=['platform', 'message_id'],
    meta={'key_only_column': 'conversion_type', 'tests_last_load': 'written_at'},
    on_schema_change='fail',
) }}
{%- set events_relation = ref('int_sessions__events') %}
{%- set by_sessions = false %}
{%- set watermark, any_reloaded = none, true %}
{%- if is_incremental() %}
    {%- set watermark = incremental_watermark('loaded_at') %}
    {%- set written_through = incremental_watermark('written_at') %}
    {%- set any_reloaded = holds_rows_of_event_files_read_since(watermark) %}
    {#- a unit test's `this` is a fixture: it takes every event again -#}
    {%- set by_sessions = this is not string and not rewritten_since(
        events_relation, 'staged_at', written_through
    ) %}
{%- endif %}

with

segment_events as (
    select * from {{ ref('segment_events') }}
),

sessionized as (
    select * from {{ ref('int_sessions__sessionized') }}
    {%- if by_sessions %}
        where sessionized_at > {{ written_through }}
    {%- endif %}
),

{{ staged_events_by_platform(watermark, any_reloaded) }}
staged as (
    {% for platform in ['web', 'app'] %}
        select
            '{{ platform }}' as platform,
            events.message_id,
            segment_events.conversion_type,
            events.occurred_at,
            events.order_id,
            events.revenue,
            events.currency,
            events.revenue_eur,
            events.product_id,
            events.quantity,
            events.order_products,
            events.source_file,
            events.loaded_at
        from {{ platform }}_events as events
        inner join segment_events
            on events.event_name = segment_events.event_name
        where segment_events.conversion_type is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

{% if is_incremental() -%}
    session_changes as (
        -- the events whose device was sessionized again since, and those
        -- that left the sessions since (an erasure, a file read again);
        -- every event when the events were staged whole since
        select
            sessionized.platform,
            sessionized.message_id
        from sessionized
        {%- if by_sessions %}
            union
            select
                left_events.platform,
                left_events.message_id
            from {{ replaced_rows_relation(events_relation) }} as left_events
            where left_events.replaced_at > {{ written_through }}
        {%- else %}
            union
            select
                previous.platform,
                previous.message_id
            from {{ this }} as previous
        {%- endif %}
    ),

    resessioned as (
        -- the events this table holds whose session changed, but those
        -- staged again and those of a file read again: the staged events
        -- alone say what they are now
        select
            previous.platform,
            previous.message_id,
            previous.conversion_type,
            previous.occurred_at,
            previous.order_id,
            previous.revenue,
            previous.currency,
            previous.revenue_eur,
            previous.product_id,
            previous.quantity,
            previous.order_products,
            previous.source_file,
            previous.loaded_at
        from {{ this }} as previous
        inner join session_changes
            on
                previous.platform = session_changes.platform
                and previous.message_id = session_changes.message_id
        left join staged
            on
                previous.platform = staged.platform
                and previous.message_id = staged.message_id
        left join reloaded_events
            on
                previous.platform = reloaded_events.platform
                and previous.message_id = reloaded_events.message_id
        where
            staged.message_id is null
            and reloaded_events.message_id is null
    ),

    batch as (
        select * from staged
        union all
        select * from resessioned
    ),

{% endif -%}

final as (
    select
        batch.*,
        sessionized.session_id,
        sessionized.device_key,
        {{ loaded_at() }} as written_at
    from {{ 'batch' if is_incremental() else 'staged' }} as batch
    left join sessionized
        on
            batch.platform = sessionized.platform
            and batch.message_id = sessionized.message_id
    {%- if is_incremental() %}
        union all
        -- an event held from a file read again: a row of its key alone, for
        -- replace_keys to delete it (the receipt the events hold now, if
        -- any, is inserted again)
        select
            {{- key_only_rows({
                'platform': 'reloaded_events.platform',
                'message_id': 'reloaded_events.message_id'
            }, [
                'platform', 'message_id', 'conversion_type', 'occurred_at',
                'order_id', 'revenue', 'currency', 'revenue_eur',
                'product_id', 'quantity', 'order_products', 'source_file',
                'loaded_at', 'session_id', 'device_key', 'written_at'
            ]) }}
        from reloaded_events
    {%- endif %}
)

select * from final
