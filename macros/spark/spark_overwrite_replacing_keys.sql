{% macro spark_overwrite_replacing_keys(source, target, unique_key) -%}
    {#- Spark, Parquet tables: DuckDB's delete+insert as one overwrite. The
        table's new content (its rows whose unique_key is not in the batch,
        plus the batch) is written to a scratch table, then overwrites the
        table; returns a query for dbt's `main` statement. -#}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = adapter.get_columns_in_relation(target)
        | map(attribute='quoted') | join(', ') -%}
    {%- set rewrite = target.incorporate(
        path={'identifier': target.identifier ~ '__dbt_rewrite'}
    ) -%}
    {%- set key_match -%}
        {%- for key in keys -%}
            {% if not loop.first %} and {% endif -%}
            batch.{{ key }} = kept.{{ key }}
        {%- endfor -%}
    {%- endset -%}
    {#- Spark cannot overwrite a table the same query reads (the batch view
        reads the target for its watermark): the new content is written to a
        scratch table first. -#}
    {%- do run_query('drop table if exists ' ~ rewrite) -%}
    {%- do run_query(
        'create table ' ~ rewrite ~ ' using parquet as '
        ~ 'select ' ~ columns ~ ' from ' ~ target ~ ' as kept '
        ~ 'where not exists (select 1 from ' ~ source ~ ' as batch where '
        ~ key_match ~ ') '
        ~ 'union all select ' ~ columns ~ ' from ' ~ source
    ) -%}
    {%- do run_query(
        'insert overwrite table ' ~ target ~ ' select ' ~ columns ~ ' from ' ~ rewrite
    ) -%}
    {%- do run_query('drop table if exists ' ~ rewrite) -%}
    select count(*) as rows_count from {{ target }}
{%- endmacro %}
