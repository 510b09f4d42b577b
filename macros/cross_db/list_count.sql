{% macro list_count(list_expression, element, predicate) -%}
    {{ return(adapter.dispatch('list_count', 'user_behavior')(
        list_expression, element, predicate
    )) }}
{%- endmacro %}

{% macro default__list_count(list_expression, element, predicate) -%}
    {#- Expression: how many elements of the list `predicate` (which names
        each element `element`) is true for; null for a null list. -#}
    len(list_filter({{ list_expression }}, lambda {{ element }}: {{ predicate }}))
{%- endmacro %}

{% macro spark__list_count(list_expression, element, predicate) -%}
    {#- array_size, not size: size(null) is -1 unless ANSI mode is on. -#}
    array_size(filter({{ list_expression }}, {{ element }} -> {{ predicate }}))
{%- endmacro %}
