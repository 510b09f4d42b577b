{% test not_after(model, column_name, later_column) %}
{#- Fails where `column_name` is after `later_column` (nulls pass). -#}

select *
from {{ model }}
where {{ column_name }} > {{ later_column }}

{% endtest %}
