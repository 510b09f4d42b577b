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
    unnest({{ duckdb__parse_json_list(json_column, element_type) }})
        as {{ element_alias }},
    generate_subscripts(
        {{ duckdb__parse_json_list(json_column, element_type) }}, 1
    ) as {{ position_alias }}
{%- endmacro %}

{% macro parse_json_list(json_column, element_type) -%}
    {{ return(adapter.dispatch('parse_json_list', 'user_behavior')(
        json_column, element_type
    )) }}
{%- endmacro %}

{% macro duckdb__parse_json_list(json_column, element_type) -%}
    {#- Expression: the JSON list text as a typed list (a DuckDB LIST), so that
        per-row measures (length, first and last element, distinct values) need
        no unnest and no group by. Text that is not a JSON list gives null, as
        on Spark (try: DuckDB's from_json would fail the model; the loader
        rejects such text, but the sample seeds and other writers of raw do
        not go through it; the staging models flag such a row,
        has_unparsable_*, and their anomaly checks warn). -#}
    try(from_json({{ json_column }}, '[{{ element_type }}]'))
{%- endmacro %}

{% macro unnest_list(list_column, element_alias, position_alias=none) -%}
    {{ return(adapter.dispatch('unnest_list', 'user_behavior')(
        list_column, element_alias, position_alias
    )) }}
{%- endmacro %}

{% macro duckdb__unnest_list(list_column, element_alias, position_alias=none) -%}
    {#- Select-list fragment: one output row per element of a list column, with
        its 1-based position when position_alias is given. Empty or null lists
        give no rows. -#}
    unnest({{ list_column }}) as {{ element_alias }}
    {%- if position_alias %},
    generate_subscripts({{ list_column }}, 1) as {{ position_alias }}
    {%- endif %}
{%- endmacro %}

{% macro spark__json_element_type(element_type) -%}
    {#- The Spark DDL type of a DuckDB JSON structure ('"VARCHAR"',
        '{"screen": "VARCHAR"}'): scalar names map one to one. -#}
    {%- set scalar_types = {
        'VARCHAR': 'string', 'BOOLEAN': 'boolean', 'DOUBLE': 'double',
        'BIGINT': 'bigint', 'INTEGER': 'int', 'TIMESTAMP': 'timestamp',
    } -%}
    {%- set structure = fromjson(element_type) -%}
    {%- if structure is mapping -%}
        {%- set fields = [] -%}
        {%- for name, field_type in structure.items() -%}
            {%- do fields.append(name ~ ': ' ~ scalar_types[field_type | upper]) -%}
        {%- endfor -%}
        {{ return('struct<' ~ fields | join(', ') ~ '>') }}
    {%- else -%}
        {{ return(scalar_types[structure | upper]) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__parse_json_list(json_column, element_type) -%}
    {#- Spark: from_json with the DDL of the same structure; text that is not
        JSON gives null. So does JSON that is not a list, as on DuckDB: Spark's
        from_json would read one object as a list of one struct, so only
        text that json_array_length reads as a list is parsed. -#}
    case
        when json_array_length({{ json_column }}) is not null
            then from_json(
                {{ json_column }},
                'array<{{ spark__json_element_type(element_type) }}>'
            )
    end
{%- endmacro %}

{% macro spark__unnest_list(list_column, element_alias, position_alias=none) -%}
    {#- inline() of (element, 1-based position) structs: one generator, two
        columns; a null or empty list gives no rows, as unnest does. Without
        position_alias, explode() of the elements alone. -#}
    {%- if not position_alias %}
    explode({{ list_column }}) as {{ element_alias }}
    {%- else %}
    inline(transform(
        {{ list_column }},
        (_element, _index) -> named_struct(
            '_element', _element, '_position', cast(_index + 1 as bigint)
        )
    )) as ({{ element_alias }}, {{ position_alias }})
    {%- endif %}
{%- endmacro %}

{% macro spark__unnest_json_list(
    json_column, element_type, element_alias, position_alias
) -%}
    {{ spark__unnest_list(
        spark__parse_json_list(json_column, element_type),
        element_alias,
        position_alias
    ) }}
{%- endmacro %}
