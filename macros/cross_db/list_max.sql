{% macro list_max(list_expression) -%}
    {{ return(adapter.dispatch('list_max', 'user_behavior')(list_expression)) }}
{%- endmacro %}

{% macro default__list_max(list_expression) -%}
    {#- Expression: the largest non-null element of a list. -#}
    list_max({{ list_expression }})
{%- endmacro %}

{% macro spark__list_max(list_expression) -%}
    array_max({{ list_expression }})
{%- endmacro %}
