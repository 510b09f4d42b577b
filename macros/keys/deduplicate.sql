{% macro deduplicate(relation, partition_by, order_by) -%}
    {#- Keep one row per `partition_by`: the first by `order_by`. Portable
        (row_number in a subquery rather than qualify). -#}
    select deduplicated.*
    from (
        select
            _rows.*,
            row_number() over (
                partition by {{ partition_by }}
                order by {{ order_by }}
            ) as _row_number
        from {{ relation }} as _rows
    ) as deduplicated
    where deduplicated._row_number = 1
{%- endmacro %}
