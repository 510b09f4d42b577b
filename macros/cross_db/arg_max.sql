{% macro arg_max(value_expression, order_expression) -%}
    {{ return(adapter.dispatch('arg_max', 'user_behavior')(
        value_expression, order_expression
    )) }}
{%- endmacro %}

{% macro default__arg_max(value_expression, order_expression) -%}
    {#- Aggregate: `value_expression` of the row with the largest
        `order_expression`. -#}
    arg_max({{ value_expression }}, {{ order_expression }})
{%- endmacro %}

{% macro spark__arg_max(value_expression, order_expression) -%}
    max_by({{ value_expression }}, {{ order_expression }})
{%- endmacro %}
