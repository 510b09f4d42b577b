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
