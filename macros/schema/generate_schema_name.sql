{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Use the configured schema as is (raw, staging, marts, ...), not
        <target_schema>_<custom>, so BI tools and the loader see stable names. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
