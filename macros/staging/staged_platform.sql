{% macro staged_platform(column) -%}
    {#- A raw platform as staging reads it: lower(trim()), except `all` (any
        case), the label of the all-platform rows of the daily marts and the
        funnel: a raw `all` stages as `(all)`, an unknown platform like any
        other (counted in rpt_data_quality), so it never adds to the totals'
        rows. -#}
    case
        when lower(trim({{ column }})) = 'all' then '(all)'
        else lower(trim({{ column }}))
    end
{%- endmacro %}
