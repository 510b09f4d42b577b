{% macro escaped_key_part(text, separator, code) -%}
    {#- Expression: `text` as one part of a key whose parts are joined with
        `separator` (a one-character SQL literal such as "'|'"), written so the
        joined key names one row only: a part holding the separator or '~' has
        its '~' written '~t' and its separator written '~' followed by `code`
        (one letter); a part with neither is kept as it is, so the keys of such
        parts (every generated id, date and number) never change. Null stays
        null. -#}
    case when {{ dbt.position(separator, text) }} > 0 or {{ dbt.position("'~'", text) }} > 0
        then {{ dbt.replace(dbt.replace(text, "'~'", "'~t'"), separator, "'~" ~ code ~ "'") }}
        else {{ text }} end
{%- endmacro %}
