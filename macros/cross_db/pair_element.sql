{% macro pair_element(pair_expression, position) -%}
    {{ return(adapter.dispatch('pair_element', 'user_behavior')(
        pair_expression, position
    )) }}
{%- endmacro %}

{% macro default__pair_element(pair_expression, position) -%}
    {#- Expression: element 1 or 2 of a pair built by list_pairs_with_next. -#}
    {{ pair_expression }}[{{ position }}]
{%- endmacro %}

{% macro spark__pair_element(pair_expression, position) -%}
    {{ pair_expression }}._{{ position }}
{%- endmacro %}
