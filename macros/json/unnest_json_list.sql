{% macro unnest_json_list(json_column, element_type, element_alias, position_alias) -%}
    {{ return(adapter.dispatch('unnest_json_list', 'user_behavior')(
        json_column, element_type, element_alias, position_alias
    )) }}
{%- endmacro %}

{% macro duckdb__unnest_json_list(
    json_column, element_type, element_alias, position_alias
) -%}
    {#- Select-list fragment: one output row per element of a JSON list, with its
        1-based position. element_type is a DuckDB JSON structure, e.g. '"VARCHAR"'
        or '{"screen": "VARCHAR"}'. Empty or null lists give no rows. -#}
    unnest(from_json({{ json_column }}, '[{{ element_type }}]'))
        as {{ element_alias }},
    generate_subscripts(
        from_json({{ json_column }}, '[{{ element_type }}]'), 1
    ) as {{ position_alias }}
{%- endmacro %}
