{% macro format_kpi_value(value_column, unit_column) -%}
    {#- A KPI value as text for people, in its unit: counts and seconds as
        integers, rates as a percentage with one decimal, USD with cents.
        The double is first fixed to 6 decimal places, then rounded half up
        as a decimal: rounding the double itself differs between engines
        (3.755 is 3.75499... in binary: DuckDB gives 3.75, Spark 3.76). -#}
    {%- set fixed = 'cast(' ~ value_column ~ ' as decimal(24, 6))' -%}
    case {{ unit_column }}
        when 'rate'
            then cast(
                cast(round({{ fixed }} * 100, 1) as decimal(18, 1)) as string
            ) || '%'
        when 'usd'
            then '$' || cast(
                cast(round({{ fixed }}, 2) as decimal(18, 2)) as string
            )
        when 'seconds'
            then cast(cast(round({{ fixed }}) as bigint) as string)
            || ' s'
        else cast(cast(round({{ fixed }}) as bigint) as string)
    end
{%- endmacro %}
