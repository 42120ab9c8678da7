{% macro surrogate_key(columns) -%}
    {#- md5 of the columns cast to text, nulls spelled out so (a, null) and
        (null, a) differ; portable through dbt's cross-database macros. -#}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append(
            "coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')"
        ) -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{% macro landing_base_models() -%}
    {#- (source, entity, base model) for every landing-zone entity: the row
        accounting and the quarantine read them all. -#}
    {{ return([
        ('web', 'events', 'base_web__events'),
        ('app', 'events', 'base_app__events'),
        ('crm', 'contacts', 'base_crm__contacts'),
        ('crm', 'email_events', 'base_crm__email_events'),
        ('pos', 'stores', 'base_pos__stores'),
        ('pos', 'transactions', 'base_pos__transactions'),
        ('pos', 'transaction_lines', 'base_pos__transaction_lines'),
        ('ads', 'spend', 'base_ads__spend'),
        ('surveys', 'nps_responses', 'base_surveys__nps_responses'),
        ('catalog', 'products', 'base_catalog__products'),
        ('affiliates', 'commissions', 'base_affiliates__commissions'),
        ('costs', 'other_costs', 'base_costs__other_costs'),
    ]) }}
{%- endmacro %}
