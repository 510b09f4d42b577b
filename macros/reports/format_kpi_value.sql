{% macro format_kpi_value(value_column, unit_column) -%}
    {#- A KPI value as text for people, in its unit: counts and seconds as
        integers, rates as a percentage with one decimal, USD with cents. -#}
    case {{ unit_column }}
        when 'rate'
            then cast(
                cast(round({{ value_column }} * 100, 1) as decimal(18, 1))
                as string
            ) || '%'
        when 'usd'
            then '$' || cast(
                cast(round({{ value_column }}, 2) as decimal(18, 2)) as string
            )
        when 'seconds'
            then cast(cast(round({{ value_column }}) as bigint) as string)
            || ' s'
        else cast(cast(round({{ value_column }}) as bigint) as string)
    end
{%- endmacro %}
