{% macro transition_key(from_expression, to_expression) -%}
    {#- Text that identifies a (from, to) pair of screens: each as its length,
        a colon and itself, or '-' when null. The encoding is self-delimiting,
        so two different pairs never share a key. -#}
    {%- set parts = [] -%}
    {%- for screen in [from_expression, to_expression] -%}
        {%- do parts.append(
            "coalesce(cast(length(" ~ screen ~ ") as " ~ api.Column.translate_type('string')
            ~ ") || ':' || " ~ screen ~ ", '-')"
        ) -%}
    {%- endfor -%}
    {{ parts | join(' || ') }}
{%- endmacro %}
