{% macro finite_timestamp(column_name) -%}
    {{ return(adapter.dispatch('finite_timestamp', 'user_behavior')(column_name)) }}
{%- endmacro %}

{% macro default__finite_timestamp(column_name) -%}
    {#- Spark has no infinite timestamps. -#}
    {{ column_name }}
{%- endmacro %}

{% macro duckdb__finite_timestamp(column_name) -%}
    {#- DuckDB (like PostgreSQL) stores 'infinity' and '-infinity': staged as
        the last and first second of the calendar, so time differences stay
        numbers (a difference with infinity is null) and the row sorts, dates
        and counts as an event outside the date spine. -#}
    case
        when {{ column_name }} = cast('infinity' as timestamp)
            then cast('9999-12-31 23:59:59' as timestamp)
        when {{ column_name }} = cast('-infinity' as timestamp)
            then cast('0001-01-01 00:00:00' as timestamp)
        else {{ column_name }}
    end
{%- endmacro %}
