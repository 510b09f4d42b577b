{% macro struct_pack(fields) -%}
    {{ return(adapter.dispatch('struct_pack', 'user_behavior')(fields)) }}
{%- endmacro %}

{% macro default__struct_pack(fields) -%}
    {#- Expression: a struct from `fields`, a list of (name, expression) pairs. -#}
    {
        {%- for name, expression in fields %}
        '{{ name }}': {{ expression }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    }
{%- endmacro %}

{% macro spark__struct_pack(fields) -%}
    named_struct(
        {%- for name, expression in fields %}
        '{{ name }}', {{ expression }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
