{% macro required_values_present(raw_table) -%}
    {#- True when a raw row of `raw_table` has a value in every column the
        contract requires. The loader quarantines a row missing one; another
        writer of raw can store it: staging leaves it out (it stays in raw, the
        source's anomaly_checks warn, stg_app__rows_missing_required_values and
        rpt_data_quality count it), so no null of a required column reaches a
        model, and none stops the build. -#}
    {%- for column in contract_required_columns()[raw_table] %}
        {{ column }} is not null{% if not loop.last %} and{% endif %}
    {%- endfor %}
{%- endmacro %}
