{% macro list_pairs_with_next(list_expression, last_value) -%}
    {{ return(adapter.dispatch('list_pairs_with_next', 'user_behavior')(
        list_expression, last_value
    )) }}
{%- endmacro %}

{% macro default__list_pairs_with_next(list_expression, last_value) -%}
    {#- Expression: each element of a list paired with the next one
        (`last_value` after the last); read a pair with pair_element(). -#}
    list_zip(
        {{ list_expression }},
        list_concat({{ list_expression }}[2:], [{{ last_value }}])
    )
{%- endmacro %}

{% macro spark__list_pairs_with_next(list_expression, last_value) -%}
    transform(
        {{ list_expression }},
        (_element, _index) -> named_struct(
            '_1', _element,
            '_2', case
                when _index + 1 < size({{ list_expression }})
                    then {{ list_expression }}[_index + 1]
                else {{ last_value }}
            end
        )
    )
{%- endmacro %}
