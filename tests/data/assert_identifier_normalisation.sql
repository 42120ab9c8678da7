-- Messy identifiers as trackers, CRMs and tills really send them, and what the
-- normalisation macros must make of them. Returns the cases that come out
-- wrong (this test fails on any row).
{{ config(tags=['unit']) }}
{%- set text = dbt.type_string() %}

with

cases as (
    select
        examples.kind,
        examples.raw_value,
        examples.expected
    from (
        values
        ('email', '  SAM.Weber@Example.net', 'sam.weber@example.net'),
        ('email', 'sam.weber@example.net ', 'sam.weber@example.net'),
        ('email', 'Sam.Weber@EXAMPLE.NET', 'sam.weber@example.net'),
        ('email', '', null),
        ('email', '   ', null),
        ('phone', '+33 6 98 76 54 32', '+33698765432'),
        ('phone', '06 98 76 54 32', '+33698765432'),
        ('phone', '0698765432', '+33698765432'),
        ('phone', '06.98.76.54.32', '+33698765432'),
        ('phone', '0033698765432', '+33698765432'),
        ('phone', '0033 6 98 76 54 32', '+33698765432'),
        ('phone', '+44 7911 123456', '+447911123456'),
        ('phone', '0044 7911123456', '+447911123456'),
        ('phone', '+1 (415) 555-0100', '+14155550100'),
        ('phone', '12345', null),
        ('phone', 'n/a', null),
        ('phone', '', null),
        ('identifier', '  u-10442 ', 'u-10442'),
        ('identifier', '', null),
        (
            'url_param',
            'https://shop.example/p?utm_source=news%20letter&x=1',
            'news letter'
        ),
        ('url_param', 'https://shop.example/%%bad-url?utm_source=', null),
        ('url_param', 'https://shop.example/p?utm_source=a%ZZ', 'a%ZZ'),
        ('url_param', 'https://shop.example/p#utm_source=x', null),
        (
            'strip_eid',
            'https://shop.example/new?utm_medium=email&eid=9f2c11aa',
            'https://shop.example/new?utm_medium=email'
        ),
        (
            'strip_eid',
            'https://shop.example/new?eid=9f2c11aa&utm_medium=email',
            'https://shop.example/new?utm_medium=email'
        ),
        ('amount', '12.50', '12.5000'),
        ('amount', '-21.00', '-21.0000'),
        ('amount', '12,OO', null),
        ('amount', '1 234.50', null)
    ) as examples (kind, raw_value, expected)
),

normalised as (
    select
        kind,
        raw_value,
        expected,
        case kind
            when 'email' then {{ normalize_email('raw_value') }}
            when 'phone' then {{ normalize_phone('raw_value') }}
            when 'identifier' then {{ normalize_identifier('raw_value') }}
            when 'url_param' then {{ url_param('raw_value', 'utm_source') }}
            when 'strip_eid' then {{ strip_url_param('raw_value', 'eid') }}
            when 'amount'
                then cast({{ parse_amount('raw_value') }} as {{ text }})
        end as actual
    from cases
)

select *
from normalised
where actual is distinct from expected
