{% macro surrogate_key(column_names) -%}
    {#- A stable hash key over several columns (nulls and types made explicit),
        after dbt_utils.generate_surrogate_key, built on dbt's cross-db macros. -#}
    {%- set parts = [] -%}
    {%- for column_name in column_names -%}
        {%- do parts.append(
            "coalesce(" ~ dbt.safe_cast(column_name, api.Column.translate_type('string'))
            ~ ", '_null_')"
        ) -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
