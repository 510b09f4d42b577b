{% macro list_exists(list_expression, element, predicate) -%}
    {#- Expression: true when `predicate` (which names each element `element`)
        is true for at least one element of the list; false for an empty or
        null list, and where the predicate is null for every element. -#}
    coalesce({{ list_count(list_expression, element, predicate) }} > 0, false)
{%- endmacro %}
