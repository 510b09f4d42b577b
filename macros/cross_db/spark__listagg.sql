{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {#- dbt's listagg on Spark, overridden here: dbt-spark ignores
        order_by_clause (concat_ws of collect_list, in no set order), and the
        churn reasons are listed in a fixed order. Ordered form: sort
        (order key, value) structs, join the values; null values are skipped
        and no value gives null, as string_agg does. One ascending order
        expression ('order by <expression>'); limit_num is not supported. -#}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('listagg: limit_num is not supported on Spark') }}
    {%- endif -%}
    {%- if order_by_clause -%}
        {%- set order_expression = modules.re.sub(
            '^\\s*order\\s+by\\s+', '', order_by_clause, flags=modules.re.I
        ) -%}
        {%- if ',' in order_expression
            or modules.re.search('\\s(asc|desc)\\s*$', order_expression, flags=modules.re.I) -%}
            {{ exceptions.raise_compiler_error(
                'listagg on Spark: one ascending order expression, got ' ~ order_by_clause
            ) }}
        {%- endif -%}
        case when count({{ measure }}) > 0 then array_join(
            transform(
                array_sort(collect_list(
                    case when {{ measure }} is not null then named_struct(
                        '_order', {{ order_expression }}, '_value', {{ measure }}
                    ) end
                )),
                _item -> _item._value
            ),
            {{ delimiter_text }}
        ) end
    {%- else -%}
        case when count({{ measure }}) > 0
            then concat_ws({{ delimiter_text }}, collect_list({{ measure }})) end
    {%- endif -%}
{%- endmacro %}
