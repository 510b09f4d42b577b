{% macro list_transform(list_expression, element, expression) -%}
    {{ return(adapter.dispatch('list_transform', 'user_behavior')(
        list_expression, element, expression
    )) }}
{%- endmacro %}

{% macro default__list_transform(list_expression, element, expression) -%}
    {#- Expression: `expression` (which names each element `element`) applied
        to every element of a list, in order. -#}
    list_transform({{ list_expression }}, lambda {{ element }}: {{ expression }})
{%- endmacro %}

{% macro spark__list_transform(list_expression, element, expression) -%}
    transform({{ list_expression }}, {{ element }} -> {{ expression }})
{%- endmacro %}
