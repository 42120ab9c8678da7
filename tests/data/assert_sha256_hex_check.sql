-- What the sha256_hex_columns test must take for a hex digest and what not.
-- Returns the cases it judges wrong (this test fails on any row).
{{ config(tags=['unit']) }}
{%- set check = adapter.dispatch('sha256_hex_check', 'customer_journey') %}

with

cases as (
    select
        examples.label,
        examples.hash_value,
        examples.is_digest
    from (
        values
        ('lowercase hex', repeat('0123456789abcdef', 4), true),
        ('uppercase hex', repeat('0123456789ABCDEF', 4), false),
        ('one short', repeat('a', 63), false),
        ('one long', repeat('a', 65), false),
        ('not a hex digit', 'g' || repeat('a', 63), false),
        ('a space', repeat('a', 31) || ' ' || repeat('a', 32), false),
        ('a raw email', 'sam.weber@example.net', false)
    ) as examples (label, hash_value, is_digest)
),

judged as (
    select
        label,
        hash_value,
        is_digest,
        coalesce(
            {{ check('hash_value') }},
            false
        ) as is_judged_digest
    from cases
)

select * from judged
where is_judged_digest <> is_digest
