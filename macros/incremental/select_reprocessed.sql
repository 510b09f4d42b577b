{% macro select_reprocessed(relation, reprocessed, on) -%}
    {#- The rows of `relation` an incremental run rebuilds: those whose keys are
        in `reprocessed` (a CTE of distinct keys, built with is_reprocessed()).
        `on` maps the relation's key columns to the CTE's. On a full build every
        row is rebuilt, so the semi-join is left out (at 10M rows it costs more
        than the model's own aggregation). -#}
    select {{ relation }}.*
    from {{ relation }}
    {%- if is_incremental() %}
    inner join {{ reprocessed }}
        on
        {%- for left, right in on.items() %}
            {% if not loop.first %}and {% endif -%}
            {{ relation }}.{{ left }} = {{ reprocessed }}.{{ right }}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
