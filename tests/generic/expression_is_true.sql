{% test expression_is_true(model, expression, where_clause=none) %}
{#- Fails on every row where `expression` is not true (null counts as a failure). -#}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}

{% endtest %}
