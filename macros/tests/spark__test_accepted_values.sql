{% macro spark__test_accepted_values(model, column_name, values, quote=True) -%}
    {#- dbt's accepted_values on Spark, overridden here: a boolean value
        (values: [false]) is written unquoted. DuckDB casts the quoted 'False'
        to a boolean; Spark refuses to compare a boolean with a string. -#}
    {%- set literals = [] -%}
    {%- for value in values -%}
        {%- if value is sameas true or value is sameas false -%}
            {%- do literals.append(value | string | lower) -%}
        {%- elif quote -%}
            {%- do literals.append("'" ~ value ~ "'") -%}
        {%- else -%}
            {%- do literals.append(value | string) -%}
        {%- endif -%}
    {%- endfor %}

with all_values as (

    select
        {{ column_name }} as value_field,
        count(*) as n_records

    from {{ model }}
    group by {{ column_name }}

)

select *
from all_values
where value_field not in ({{ literals | join(', ') }})

{%- endmacro %}
