{% macro spark_register_raw_tables(location) -%}
    {#- Spark target only (`make build-spark`): registers the Parquet folders
        written by `behavior spark-export` as the tables of source `app` in a
        `raw` database, so the sources resolve as they do on DuckDB. External
        tables: dropping one leaves its files. Run through dbt (run-operation)
        so the metastore and warehouse folder are the profile's. `location`:
        the absolute path of the export folder (Jinja has no os.path). -#}
    {%- if target.type != 'spark' -%}
        {{ exceptions.raise_compiler_error(
            'spark_register_raw_tables runs on the spark target only'
        ) }}
    {%- endif -%}
    {%- set root = location.rstrip('/') -%}
    {%- do run_query('create database if not exists raw') -%}
    {%- for source in graph.sources.values()
        if source.source_name == 'app' -%}
        {%- set path = root ~ '/' ~ source.name -%}
        {%- do run_query('drop table if exists raw.' ~ source.name) -%}
        {%- do run_query(
            'create table raw.' ~ source.name ~ " using parquet location '"
            ~ path ~ "'"
        ) -%}
        {%- set count = run_query('select count(*) from raw.' ~ source.name) -%}
        {{ log('raw.' ~ source.name ~ ': ' ~ count.columns[0].values()[0] ~ ' rows', info=true) }}
    {%- endfor -%}
{%- endmacro %}
