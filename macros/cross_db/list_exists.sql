{% macro list_exists(list_expression, element, predicate) -%}
    {{ return(adapter.dispatch('list_exists', 'user_behavior')(
        list_expression, element, predicate
    )) }}
{%- endmacro %}

{% macro default__list_exists(list_expression, element, predicate) -%}
    {#- Expression: true when `predicate` (which names each element `element`)
        is true for at least one element of the list; false for an empty or
        null list, and where the predicate is null for every element. -#}
    coalesce(
        len(list_filter({{ list_expression }}, lambda {{ element }}: {{ predicate }})) > 0,
        false
    )
{%- endmacro %}

{% macro spark__list_exists(list_expression, element, predicate) -%}
    {#- exists is null when no element matches and the predicate is null for
        one; coalesce makes it false, as on DuckDB. -#}
    coalesce(exists({{ list_expression }}, {{ element }} -> {{ predicate }}), false)
{%- endmacro %}
