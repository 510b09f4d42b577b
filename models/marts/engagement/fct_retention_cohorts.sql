{#- Sign-up cohort retention after PostHog's retention insight (first-time
    retention, the cohort is the sign-up day or week). A return is an active
    day (fct_user_daily_activity) AFTER the sign-up day. For each cohort and
    period offset:
    - returned ON the period: active on that day (day offsets 1, 7, 14, 30)
      or in that week (week offsets 0..12; week 0 is the rest of the sign-up
      week);
    - returned ON OR AFTER the period: active on any day from the period's
      start on (PostHog's "on or after" / unbounded retention).
    Only periods that start within the data range get a row; is_complete
    tells whether the whole period lies within it (always true for days).

    Each user's returns come from int_user_returns_aggregated (one row per
    user, incremental by user); this model counts them per sign-up day and
    week, then turns each offset's counts into a row. -#}

{%- set day_offsets = retention_offsets('day') %}
{%- set week_offsets = retention_offsets('week') %}

with

user_returns as (

    select * from {{ ref('int_user_returns_aggregated') }}

),

days as (

    select * from {{ ref('util_days') }}

),

data_range as (

    select max(date_day) as last_date
    from days

),

day_cohorts_aggregated as (

    {{ retention_cohorts_counted('day', 'user_returns') }}

),

week_cohorts_aggregated as (

    {{ retention_cohorts_counted('week', 'user_returns') }}

),

cohorts_unpivoted as (

    {%- for granularity, offsets in [
        ('day', day_offsets), ('week', week_offsets)
    ] %}
        {%- set period_days = 1 if granularity == 'day' else 7 %}
        {%- for offset in offsets %}
            select
                '{{ granularity }}' as cohort_granularity,
                cohort_date,
                {{ offset }} as period_offset,
                {{ dbt.dateadd('day', period_days * offset, 'cohort_date') }}
                    as period_start_date,
                {{ dbt.dateadd(
                    'day', period_days * (offset + 1) - 1, 'cohort_date'
                ) }} as period_end_date,
                cohort_size,
                returned_on_{{ offset }}_count as returned_on_count,
                returned_on_or_after_{{ offset }}_count
                    as returned_on_or_after_count
            from {{ granularity }}_cohorts_aggregated
            {%- if not (loop.last and granularity == 'week') %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}

),

final as (

    select
        {{ surrogate_key([
            'cohorts_unpivoted.cohort_granularity',
            'cohorts_unpivoted.cohort_date',
            'cohorts_unpivoted.period_offset'
        ]) }} as retention_cohort_id,
        cohorts_unpivoted.cohort_granularity,
        cohorts_unpivoted.cohort_date,
        cast(cohorts_unpivoted.period_offset as integer) as period_offset,
        cast(cohorts_unpivoted.period_start_date as date) as period_start_date,
        cast(cohorts_unpivoted.period_end_date as date) as period_end_date,
        cohorts_unpivoted.period_end_date <= data_range.last_date
            as is_complete,
        cast(cohorts_unpivoted.cohort_size as integer) as cohort_size,
        cast(cohorts_unpivoted.returned_on_count as integer)
            as returned_on_count,
        cast(cohorts_unpivoted.returned_on_or_after_count as integer)
            as returned_on_or_after_count,
        cast(cohorts_unpivoted.returned_on_count as double)
        / cohorts_unpivoted.cohort_size as returned_on_rate,
        cast(cohorts_unpivoted.returned_on_or_after_count as double)
        / cohorts_unpivoted.cohort_size as returned_on_or_after_rate
    from cohorts_unpivoted
    cross join data_range
    where cohorts_unpivoted.period_start_date <= data_range.last_date

)

select * from final
