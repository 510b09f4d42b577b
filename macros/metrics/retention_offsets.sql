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


{% macro retention_cohorts_counted(granularity, user_returns) -%}
    {#- The select that counts int_user_returns_aggregated's rows (the
        relation or CTE named by user_returns) per sign-up day or week: the
        cohort's size and, per offset, the users who returned on that period
        and on or after it (the last period with a return is at or after
        it). One row per cohort; fct_retention_cohorts unpivots it. -#}
    {%- if granularity == 'day' -%}
        {%- set cohort_column = 'signed_up_date' -%}
        {%- set flag_prefix = 'has_returned_on_day_' -%}
    {%- else -%}
        {%- set cohort_column = 'signup_week' -%}
        {%- set flag_prefix = 'has_returned_in_week_' -%}
    {%- endif -%}
    select
        {{ cohort_column }} as cohort_date,
        {%- for offset in retention_offsets(granularity) %}
            count(case when {{ flag_prefix ~ offset }} then 1 end)
                as returned_on_{{ offset }}_count,
            count(case when last_{{ granularity }}_offset >= {{ offset }} then 1 end)
                as returned_on_or_after_{{ offset }}_count,
        {%- endfor %}
        count(*) as cohort_size
    from {{ user_returns }}
    group by 1
{%- endmacro %}
