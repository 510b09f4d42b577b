{% macro surrogate_key(column_names) -%}
    {#- A stable hash key over several columns (nulls and types made explicit),
        after dbt_utils.generate_surrogate_key, built on dbt's cross-db macros.
        The parts are joined with '|'. A part that holds '|' itself (an id the
        contract allows) would let two different rows join to the same text,
        (`au`, `x|cA`) and (`au|x`, `cA`): such a part has its '~' written '~t'
        and its '|' written '~p' first (macro escaped_key_part), so the joined
        text names one row only. A part with neither character (every
        generated id, date and number) is joined as it is: keys built before
        the escape stay the same. -#}
    {%- set parts = [] -%}
    {%- for column_name in column_names -%}
        {%- set text = dbt.safe_cast(column_name, api.Column.translate_type('string')) -%}
        {%- do parts.append(
            "coalesce(" ~ escaped_key_part(text, "'|'", 'p') ~ ", '_null_')"
        ) -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
