{% macro dbt_spark_get_incremental_sql(
    strategy, source, target, existing, unique_key, incremental_predicates
) -%}
    {#- Overrides dbt-spark's macro of the same name (the root project's wins)
        for one case: strategy insert_overwrite with a unique_key and no
        partition_by, which this project configures on Spark for every
        incremental model (dbt_project.yml). dbt-spark would overwrite the
        whole table with the batch alone; here it is overwritten with the
        batch plus the rows whose key is not in the batch: DuckDB's
        delete+insert result on Parquet tables, which have no row-level
        delete without Delta. The cost is a rewrite of the table, not of the
        batch (README "Running on Spark"). Other cases: dbt-spark's own. -#}
    {%- if strategy == 'insert_overwrite' and unique_key
        and not config.get('partition_by') -%}
        {{ spark_overwrite_replacing_keys(source, target, unique_key) }}
    {%- else -%}
        {{ dbt_spark.dbt_spark_get_incremental_sql(
            strategy, source, target, existing, unique_key, incremental_predicates
        ) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark_overwrite_replacing_keys(source, target, unique_key) -%}
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
