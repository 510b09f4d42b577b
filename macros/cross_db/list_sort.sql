{% macro list_sort(list_expression) -%}
    {{ return(adapter.dispatch('list_sort', 'user_behavior')(list_expression)) }}
{%- endmacro %}

{% macro default__list_sort(list_expression) -%}
    {#- Expression: the list sorted ascending, nulls last. -#}
    list_sort({{ list_expression }})
{%- endmacro %}

{% macro spark__list_sort(list_expression) -%}
    array_sort({{ list_expression }})
{%- endmacro %}
