{% macro list_contains(list_expression, value) -%}
    {{ return(adapter.dispatch('list_contains', 'user_behavior')(
        list_expression, value
    )) }}
{%- endmacro %}

{% macro default__list_contains(list_expression, value) -%}
    {#- Expression: true when the list holds the value; null for a null
        list. -#}
    list_contains({{ list_expression }}, {{ value }})
{%- endmacro %}

{% macro spark__list_contains(list_expression, value) -%}
    array_contains({{ list_expression }}, {{ value }})
{%- endmacro %}
