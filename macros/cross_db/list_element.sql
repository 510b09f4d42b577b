{% macro list_element(list_expression, position) -%}
    {{ return(adapter.dispatch('list_element', 'user_behavior')(
        list_expression, position
    )) }}
{%- endmacro %}

{% macro default__list_element(list_expression, position) -%}
    {#- Expression: the element at a 1-based position (-1 is the last);
        null when the list is shorter. -#}
    {{ list_expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__list_element(list_expression, position) -%}
    {#- element_at is 1-based and gives null out of range (ANSI off, as
        dbt-spark sets it); its position must be an int (an unnest position
        is a bigint). -#}
    element_at({{ list_expression }}, cast({{ position }} as int))
{%- endmacro %}
