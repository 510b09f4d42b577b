{% macro list_first_occurrences(list_expression) -%}
    {{ return(adapter.dispatch('list_first_occurrences', 'user_behavior')(
        list_expression
    )) }}
{%- endmacro %}

{% macro default__list_first_occurrences(list_expression) -%}
    {#- Expression: a list of booleans aligned with the input, true where an
        element appears for the first time in it (counting those counts the
        distinct elements). Pass a column, not an expression: it is read once
        per element. -#}
    list_transform(
        range(1, len({{ list_expression }}) + 1),
        lambda _position: list_position(
            {{ list_expression }}, {{ list_expression }}[_position]
        ) = _position
    )
{%- endmacro %}

{% macro spark__list_first_occurrences(list_expression) -%}
    {#- transform's index is 0-based, array_position's 1-based. -#}
    transform(
        {{ list_expression }},
        (_element, _index) -> array_position({{ list_expression }}, _element) = _index + 1
    )
{%- endmacro %}
