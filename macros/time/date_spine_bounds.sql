{% macro date_spine_first_day() -%}
    {#- The first day the date spine (util_days) can hold: the day before var
        behavior__earliest_event_date, the loader's earliest_at bound (an
        instant in UTC: a reporting time zone west of UTC dates it a day
        earlier). -#}
    cast({{ dbt.dateadd(
        'day', -1,
        "cast('" ~ var('behavior__earliest_event_date') ~ "' as date)"
    ) }} as date)
{%- endmacro %}

{% macro date_spine_last_day() -%}
    {#- The last day the date spine can hold: tomorrow (the loader refuses a
        time more than its clock skew ahead of the load). -#}
    cast({{ dbt.dateadd('day', 1, 'current_date') }} as date)
{%- endmacro %}

{% macro is_within_date_spine(date_column) -%}
    {#- True when a day can be on the date spine. A row dated outside it (a
        sentinel such as 0001-01-01, or infinity, from another writer than the
        loader) does not move the spine's ends (int_event_dates_summarized)
        and is in no daily mart (int_user_platform_days_aggregated leaves its
        day out); the event facts keep it, and rpt_data_quality counts it
        (<table>_dated_outside_the_date_spine). -#}
    {{ date_column }} between {{ date_spine_first_day() }}
    and {{ date_spine_last_day() }}
{%- endmacro %}
