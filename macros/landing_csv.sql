{#- CSV landing files matched by header name (CONTRACT.md): the sources read
    every file with union_by_name and all_varchar, so column order may differ
    from file to file and an unknown extra column is ignored. -#}

{% macro csv_by_header(relation, required) -%}
    {#- The declared columns of a CSV source (its YAML), picked by name from
        each row, so that a column no file has is null instead of a binding
        error; `filename`; and `layout_reason`, why the whole file is
        quarantined: a semicolon-delimited header, or a required column the
        file lacks (or leaves empty in every row). -#}
    {%- set columns = source_columns(relation) if execute else [] -%}
    {%- if execute and not columns -%}
        {{ exceptions.raise_compiler_error(
            "csv_by_header: no columns declared for " ~ relation
        ) }}
    {%- endif -%}
    select
        {%- for column in columns %}
        json_extract_string(record, '$.{{ column }}') as {{ column }},
        {%- endfor %}
        filename,
        case
            when bool_or(regexp_matches(
                cast(record as varchar), '"[^"]*;[^"]*":"'
            )) over (partition by filename)
                then 'semicolon-delimited file (the contract''s CSV is comma-separated)'
            {%- for column in required %}
            when count(json_extract_string(record, '$.{{ column }}'))
                over (partition by filename) = 0
                then 'file lacks the required column {{ column }} (or it is empty in every row)'
            {%- endfor %}
            when regexp_matches(cast(record as varchar), '"column[0-9]+":"')
                then 'row has more fields than the header (an unquoted comma?)'
        end as layout_reason
    from (
        select
            to_json(raw_rows) as record,
            raw_rows.filename
        from {{ landing_relation(relation) }} as raw_rows
    ) as records
{%- endmacro %}
