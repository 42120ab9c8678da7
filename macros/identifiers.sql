{#- Identifier normalisation and hashing: the one place personal data is
    turned into salted hashes. -#}

{% macro normalize_email(expr) -%}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{% macro normalize_phone(expr) -%}
    {%- set digits = "regexp_replace(" ~ expr ~ ", '[^0-9]', '', 'g')" -%}
    {%- set e164 -%}
        case
            when trim({{ expr }}) like '+%' then '+' || {{ digits }}
            when {{ digits }} like '00%' then '+' || substr({{ digits }}, 3)
            when {{ digits }} like '0%' and length({{ digits }}) = 10
                then '+{{ var("default_phone_country_code") }}'
                    || substr({{ digits }}, 2)
        end
    {%- endset -%}
    case
        when regexp_full_match({{ e164 }}, '\+[1-9][0-9]{7,14}')
            then {{ e164 }}
    end
{%- endmacro %}

{% macro normalize_identifier(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}

{% macro hash_identifier(identifier_type, expr, type_is_column=false) -%}
    {#- Salted SHA-256 of "salt|type|value"; null stays null. The type is part
        of the input so that equal strings of different kinds never collide.
        identifier_type is a literal name, or a column when type_is_column. -#}
    {%- set type_sql = identifier_type if type_is_column
        else "'" ~ identifier_type ~ "'" -%}
    case when {{ expr }} is not null then
        {{ sha256_hex(
            hash_salt() ~ " || '|' || " ~ type_sql ~ " || '|' || " ~ expr
        ) }}
    end
{%- endmacro %}

{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'customer_journey')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}
