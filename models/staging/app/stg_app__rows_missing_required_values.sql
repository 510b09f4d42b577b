{#- One row per raw table: its rows that miss a value the contract requires,
    which staging leaves out (macro required_values_present). The loader
    quarantines such a row; another writer of raw can store it. -#}
{%- set required = contract_required_columns() -%}

with

{% for raw_table in required %}
    {{ raw_table }} as (

        select * from {{ source('app', raw_table) }}

    ),

{% endfor -%}

counted as (

    {%- for raw_table, columns in required.items() %}
        select
            '{{ raw_table }}' as raw_table_name,
            count(
                case
                    when not ({{ required_values_present(raw_table) }}) then 1
                end
            ) as rows_missing_values_count,
            {#- The required columns a null was found in, in contract order;
                empty text when none. -#}
            concat_ws(
                ', ',
                {%- for column in columns %}
                    case
                        when
                            count(case when {{ column }} is null then 1 end) > 0
                            then '{{ column }}'
                    end{% if not loop.last %},{% endif %}
                {%- endfor %}
            ) as missing_columns

        from {{ raw_table }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        raw_table_name,
        cast(rows_missing_values_count as bigint) as rows_missing_values_count,
        missing_columns

    from counted

)

select * from final
