{% macro staged_timestamp(column_name) -%}
    {{ return(adapter.dispatch('staged_timestamp', 'user_behavior')(column_name)) }}
{%- endmacro %}

{% macro default__staged_timestamp(column_name) -%}
    {#- Staged as stored. Spark's timestamps have no infinity, and the rows
        beyond the calendar are planted on DuckDB only (test_spark_equality
        builds the other hostile rows): no Spark build has been given one. -#}
    {{ column_name }}
{%- endmacro %}

{% macro duckdb__staged_timestamp(column_name) -%}
    {#- An event, user or catalog time as staged: within the calendar's years
        1-9999. DuckDB (like PostgreSQL) stores 'infinity' and '-infinity',
        and years up to 294247 and back to 290309 BC; another writer than the
        loader (which refuses them) can store such a time. It stages as the
        last or the first second of the calendar, so the date arithmetic after
        it (a crash's 30 s tail, a 14-day funnel window, a day's 29-day
        window, a month's start in the reporting time zone) stays in DuckDB's
        range, time differences stay numbers (a difference with infinity is
        null), and the row sorts, dates and counts as an event outside the
        date spine. A null stays null. -#}
    case
        when {{ column_name }} > cast('9999-12-31 23:59:59' as timestamp)
            then cast('9999-12-31 23:59:59' as timestamp)
        when {{ column_name }} < cast('0001-01-01 00:00:00' as timestamp)
            then cast('0001-01-01 00:00:00' as timestamp)
        else {{ column_name }}
    end
{%- endmacro %}
