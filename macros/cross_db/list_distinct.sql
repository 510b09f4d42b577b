{% macro list_distinct(list_expression) -%}
    {{ return(adapter.dispatch('list_distinct', 'user_behavior')(list_expression)) }}
{%- endmacro %}

{% macro default__list_distinct(list_expression) -%}
    {#- Expression: the distinct non-null elements of a list (order not
        guaranteed: sort with list_sort when it matters). -#}
    list_distinct({{ list_expression }})
{%- endmacro %}

{% macro spark__list_distinct(list_expression) -%}
    {#- array_distinct keeps a null element; DuckDB's list_distinct drops it. -#}
    array_distinct(filter({{ list_expression }}, _element -> _element is not null))
{%- endmacro %}
