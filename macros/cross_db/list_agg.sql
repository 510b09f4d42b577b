{% macro list_agg(expression, order_by) -%}
    {{ return(adapter.dispatch('list_agg', 'user_behavior')(expression, order_by)) }}
{%- endmacro %}

{% macro default__list_agg(expression, order_by) -%}
    {#- Aggregate: the group's values of `expression` as a list, in the order
        of `order_by` (a deterministic list, so equal groups give equal
        lists); null for a group of no rows. -#}
    list({{ expression }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__list_agg(expression, order_by) -%}
    {#- collect_list has no order: the pairs (order key, value) are sorted,
        which compares the key first, then the values are kept. -#}
    transform(
        array_sort(collect_list(named_struct(
            '_key', {{ order_by }}, '_value', {{ expression }}
        ))),
        _pair -> _pair._value
    )
{%- endmacro %}
