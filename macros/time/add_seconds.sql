{% macro add_seconds(timestamp, seconds) -%}
    {#- `timestamp` plus a whole number of `seconds` (a bigint): dbt.dateadd
        multiplies an interval of one second, which DuckDB holds in 32 bits,
        so a crashed session whose last step is 68 years after its open (a
        device clock, another writer) stopped the build. -#}
    {{ return(adapter.dispatch('add_seconds', 'user_behavior')(timestamp, seconds)) }}
{%- endmacro %}

{% macro default__add_seconds(timestamp, seconds) -%}
    {{ dbt.dateadd('second', seconds, timestamp) }}
{%- endmacro %}

{% macro duckdb__add_seconds(timestamp, seconds) -%}
    ({{ timestamp }} + to_seconds(cast({{ seconds }} as bigint)))
{%- endmacro %}

{% macro spark__add_seconds(timestamp, seconds) -%}
    ({{ timestamp }} + make_dt_interval(0, 0, 0, cast({{ seconds }} as bigint)))
{%- endmacro %}
