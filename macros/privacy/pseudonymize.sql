{% macro pseudonymize(column_name) -%}
    {{ return(adapter.dispatch('pseudonymize', 'user_behavior')(column_name)) }}
{%- endmacro %}

{% macro default__pseudonymize(column_name) -%}
    {#- Salted hash of a normalized personal value: stable across runs, joinable,
        never the value itself. Null stays null. -#}
    case
        when {{ column_name }} is not null
            then {{ dbt.hash(dbt.concat([
                "'" ~ var('behavior__pseudonymization_salt') ~ "'",
                "lower(trim(" ~ column_name ~ "))"
            ])) }}
    end
{%- endmacro %}

{% macro duckdb__pseudonymize(column_name) -%}
    case
        when {{ column_name }} is not null
            then sha256(
                '{{ var("behavior__pseudonymization_salt") }}'
                || lower(trim({{ column_name }}))
            )
    end
{%- endmacro %}
