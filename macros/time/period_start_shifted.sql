{% macro period_start_shifted(granularity, period_start, periods) -%}
    {#- The start of the period `periods` periods after (before, when
        negative) the one starting on `period_start`: weeks of 7 days,
        calendar months. `granularity` is a SQL expression giving 'week' or
        'month' (a column, or a quoted literal). -#}
    case {{ granularity }}
        when 'week' then {{ dbt.dateadd('day', 7 * periods, period_start) }}
        else {{ dbt.dateadd('month', periods, period_start) }}
    end
{%- endmacro %}
