{% macro to_reporting_date(column_name) -%}
    {{ return(adapter.dispatch('to_reporting_date', 'user_behavior')(column_name)) }}
{%- endmacro %}

{% macro default__to_reporting_date(column_name) -%}
    {#- The calendar day of a UTC timestamp in the reporting time zone. -#}
    cast(
        convert_timezone(
            'UTC', '{{ var("behavior__reporting_timezone") }}', {{ column_name }}
        ) as date
    )
{%- endmacro %}

{% macro duckdb__to_reporting_date(column_name) -%}
    {%- if var("behavior__reporting_timezone") | upper == 'UTC' -%}
        cast({{ column_name }} as date)
    {%- else -%}
        cast(
            timezone(
                '{{ var("behavior__reporting_timezone") }}',
                timezone('UTC', {{ column_name }})
            ) as date
        )
    {%- endif -%}
{%- endmacro %}
