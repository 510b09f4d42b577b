{% macro spark__cast(field, type) -%}
    {#- dbt's cast on Spark, overridden here: the contracts' data_type and the
        models say varchar, the DuckDB name, and Spark refuses a varchar
        without a length. Any other type is passed through. -#}
    {%- set spark_type = 'string' if type | trim | lower in ('varchar', 'text') else type -%}
    cast({{ field }} as {{ spark_type }})
{%- endmacro %}
