{% macro json_verdict(text_expression) -%}
    {#- Expression: a JSON boolean read as text ('true', 'false'; a quoted
        "true" too) as a boolean; null for anything else ("yes", 1), on
        both engines. -#}
    case lower({{ text_expression }})
        when 'true' then true
        when 'false' then false
    end
{%- endmacro %}
