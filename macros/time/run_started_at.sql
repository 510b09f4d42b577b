{% macro run_started_at_text() -%}
    {#- The start of this dbt run (UTC, naive) as text DuckDB and Spark cast
        to a timestamp: the one format of every run-start value the project
        writes (ops tables, built_at, the lookback watermark's bound). -#}
    {{- run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -}}
{%- endmacro %}


{% macro run_started_at_literal() -%}
    {#- The start of this dbt run as a timestamp literal. -#}
    cast('{{ run_started_at_text() }}'
        as {{ api.Column.translate_type('timestamp') }})
{%- endmacro %}
