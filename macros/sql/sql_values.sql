{% macro sql_values(values) -%}
    {#- A Jinja list of strings as SQL literals: 'a', 'b'. -#}
    '{{ values | join("', '") }}'
{%- endmacro %}
