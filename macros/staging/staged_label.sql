{% macro staged_label(column, reserved_labels) -%}
    {#- A raw enum value as staging reads it: lower(trim()), except a value
        equal to one of `reserved_labels`, names the project gives its own
        rows (the all-platform totals `all`; a session's `exit` and a step
        without a screen `(no screen)` in the navigation transitions): it
        stages in parentheses, an unknown value like any other, so a raw row
        never adds to the project's own rows. -#}
    case
        when lower(trim({{ column }})) in (
            {%- for label in reserved_labels %}'{{ label }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        )
            then '(' || lower(trim({{ column }})) || ')'
        else lower(trim({{ column }}))
    end
{%- endmacro %}

{% macro staged_platform(column) -%}
    {#- A raw platform: `all`, the label of the all-platform rows of the daily
        marts and the funnel, stages as `(all)` (counted in rpt_data_quality as
        an unknown platform). -#}
    {{ staged_label(column, ['all']) }}
{%- endmacro %}

{% macro staged_screen(column) -%}
    {#- A raw navigation screen: `exit` and `(no screen)`, the labels
        int_session_transitions_aggregated gives a session's end and a step
        without a screen, stage as `(exit)` and `((no screen))`. -#}
    {{ staged_label(column, ['exit', '(no screen)']) }}
{%- endmacro %}
