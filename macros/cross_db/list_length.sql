{% macro list_length(list_expression) -%}
    {{ return(adapter.dispatch('list_length', 'user_behavior')(list_expression)) }}
{%- endmacro %}

{% macro default__list_length(list_expression) -%}
    {#- Expression: the number of elements of a list; null for a null list. -#}
    len({{ list_expression }})
{%- endmacro %}

{% macro spark__list_length(list_expression) -%}
    {#- array_size, not size: size(null) is -1 unless ANSI mode is on. -#}
    array_size({{ list_expression }})
{%- endmacro %}
