{#- Identifier normalisation and hashing: the one place personal data is
    turned into salted hashes. -#}

{% macro normalize_email(expr) -%}
    nullif(lower(trim({{ expr }})), '')
{%- endmacro %}

{% macro normalize_phone(expr) -%}
    {%- set digits = regex_replace_all(expr, '[^0-9]', '') -%}
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
        when {{ regex_full_match(e164, '\\+[1-9][0-9]{7,14}') }}
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

{% macro identifier_node_id(hash_expr) -%}
    {#- The identifier's node id in the identity graph: the first 15 hex
        digits (60 bits) of its salted SHA-256, read as an integer. The same
        identifier has the same id in every build, so an incremental build
        keeps the ids of the graph it holds; the type is part of the hashed
        input, so identifiers of different types get different ids. Ids of
        two identifiers collide with a probability of n^2 / 2^61 for n
        identifiers (4e-5 at 10 million): the unique test on
        int_identity__identifiers.node_id stops the build then. -#}
    {{ return(adapter.dispatch('identifier_node_id', 'customer_journey')(hash_expr)) }}
{%- endmacro %}

{% macro default__identifier_node_id(hash_expr) -%}
    cast(conv(substr({{ hash_expr }}, 1, 15), 16, 10) as bigint)
{%- endmacro %}

{% macro duckdb__identifier_node_id(hash_expr) -%}
    cast('0x' || substr({{ hash_expr }}, 1, 15) as bigint)
{%- endmacro %}

{% macro contact_identifier_columns() -%}
    {#- The identifiers a CRM contact row holds: (hash column, identifier
        type), as the identity graph observes them and an erasure request
        keeps them. -#}
    {{ return([
        ('contact_id_hash', 'contact_id'),
        ('user_id_hash', 'user_id'),
        ('email_hash', 'email'),
        ('phone_hash', 'phone'),
        ('loyalty_card_hash', 'loyalty_card'),
    ]) }}
{%- endmacro %}
