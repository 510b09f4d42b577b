{% macro retention_offsets(granularity) -%}
    {#- The period offsets of sign-up cohort retention (README "Retention"):
        days 1, 7, 14 and 30 after the sign-up day, weeks 0..12 after the
        sign-up week. Shared by int_user_returns_aggregated (one flag per
        offset) and fct_retention_cohorts (one row per offset). -#}
    {%- if granularity == 'day' -%}
        {{ return([1, 7, 14, 30]) }}
    {%- elif granularity == 'week' -%}
        {{ return(range(0, 13) | list) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            'retention_offsets: granularity must be day or week, got ' ~ granularity
        ) }}
    {%- endif -%}
{%- endmacro %}
