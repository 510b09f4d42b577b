{#- Every MIS KPI for every complete reporting day, in long form. Values come
    from the marts; only the daily course-interaction counts (no daily mart
    holds them) are counted from staging. The KPI list below is the single
    place that names a KPI, its area, unit and whether higher is better. -#}

{%- set kpis = mis_kpis() -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

engagement_daily as (

    select * from {{ ref('fct_engagement_daily') }}

),

revenue_daily as (

    select * from {{ ref('fct_revenue_daily') }}

),

payments_daily as (

    select * from {{ ref('fct_payments_daily') }}

),

retention_cohorts as (

    select * from {{ ref('fct_retention_cohorts') }}

),

course_funnels as (

    select * from {{ ref('int_course_funnels_ordered') }}

),

quiz_attempts as (

    select * from {{ ref('fct_quiz_attempts') }}

),

course_enrollments as (

    select * from {{ ref('fct_course_enrollments') }}

),

course_interactions as (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

engagement as (

    {#- fct_engagement_daily is the whole app (one row per day). -#}
    select * from engagement_daily

),

payments as (

    select
        payment_date,
        sum(attempts_count) as attempts_count,
        cast(sum(failed_attempts_count) as double)
        / nullif(sum(attempts_count), 0) as failure_rate

    from payments_daily
    group by 1

),

interactions as (

    select
        occurred_date,
        count(case when event_type = 'course_click' then 1 end)
            as course_clicks_count,
        count(case when event_type = 'wishlist_add' then 1 end)
            as wishlist_adds_count,
        count(case when event_type = 'cart_add' then 1 end)
            as cart_adds_count

    from course_interactions
    group by 1

),

retention as (

    {#- Day-7 retention (PostHog "on" day 7) pooled over the 7 daily sign-up
        cohorts whose day 7 falls in the 7 days ending on the report day. -#}
    select
        reporting_days.report_date,
        cast(sum(retention_cohorts.returned_on_count) as double)
        / nullif(sum(retention_cohorts.cohort_size), 0) as d7_retention_rate

    from reporting_days
    inner join retention_cohorts
        on
            retention_cohorts.cohort_granularity = 'day'
            and retention_cohorts.period_offset = 7
            and retention_cohorts.period_start_date
            between {{ dbt.dateadd('day', -6, 'reporting_days.report_date') }}
            and reporting_days.report_date
    group by 1

),

funnel_starts_paid as (

    select
        {{ to_reporting_date('clicked_at') }} as clicked_date,
        {{ to_reporting_date('paid_at') }} as paid_date,
        count(*) as funnels_count

    from course_funnels
    group by 1, 2

),

funnel as (

    {#- Click -> paid conversion of the funnels (user x course) whose counted
        (best) attempt's click fell in the 28 days ending on the report day,
        counting payments up to and including the report day. A past day's
        value changes only when a later attempt of a funnel converts and so
        becomes its counted attempt. -#}
    select
        reporting_days.report_date,
        cast(sum(
            case
                when funnel_starts_paid.paid_date <= reporting_days.report_date
                    then funnel_starts_paid.funnels_count
                else 0
            end
        ) as double)
        / nullif(sum(funnel_starts_paid.funnels_count), 0)
            as funnel_conversion_rate

    from reporting_days
    inner join funnel_starts_paid
        on
            funnel_starts_paid.clicked_date
            between {{ dbt.dateadd('day', -27, 'reporting_days.report_date') }}
            and reporting_days.report_date
    group by 1

),

quizzes_started as (

    select
        started_date as quiz_date,
        count(*) as quizzes_attempted_count

    from quiz_attempts
    group by 1

),

quizzes_submitted as (

    select
        submitted_date as quiz_date,
        -- Of the submitted attempts with a pass mark (is_passed is null
        -- for a quiz outside the catalog: unknown, not failed).
        cast(count(case when is_passed then 1 end) as double)
        / nullif(count(is_passed), 0) as quiz_pass_rate

    from quiz_attempts
    where not is_abandoned
    group by 1

),

quizzes as (

    select
        reporting_days.report_date,
        coalesce(quizzes_started.quizzes_attempted_count, 0)
            as quizzes_attempted_count,
        quizzes_submitted.quiz_pass_rate

    from reporting_days
    left join quizzes_started
        on reporting_days.report_date = quizzes_started.quiz_date
    left join quizzes_submitted
        on reporting_days.report_date = quizzes_submitted.quiz_date

),

course_starts as (

    select
        started_date as enrollment_date,
        count(*) as course_starts_count

    from course_enrollments
    group by 1

),

course_completions as (

    select
        completed_date as enrollment_date,
        count(*) as course_completions_count

    from course_enrollments
    where is_completed
    group by 1

),

enrollments as (

    select
        reporting_days.report_date,
        coalesce(course_starts.course_starts_count, 0) as course_starts_count,
        coalesce(course_completions.course_completions_count, 0)
            as course_completions_count

    from reporting_days
    left join course_starts
        on reporting_days.report_date = course_starts.enrollment_date
    left join course_completions
        on reporting_days.report_date = course_completions.enrollment_date

),

daily_values as (

    select
        reporting_days.report_date,
        {%- for kpi in kpis %}
            {{ kpi[4] }} as {{ kpi[0] }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from reporting_days
    left join engagement
        on reporting_days.report_date = engagement.activity_date
    left join revenue_daily
        on reporting_days.report_date = revenue_daily.revenue_date
    left join payments
        on reporting_days.report_date = payments.payment_date
    left join interactions
        on reporting_days.report_date = interactions.occurred_date
    left join retention
        on reporting_days.report_date = retention.report_date
    left join funnel
        on reporting_days.report_date = funnel.report_date
    left join quizzes
        on reporting_days.report_date = quizzes.report_date
    left join enrollments
        on reporting_days.report_date = enrollments.report_date

),

kpis_unpivoted as (

    {%- for kpi_name, area, unit, is_higher_better, expression in kpis %}
        select
            report_date,
            '{{ kpi_name }}' as kpi_name,
            '{{ area }}' as area,
            '{{ unit }}' as kpi_unit,
            {{ is_higher_better }} as is_higher_better,
            {{ loop.index }} as kpi_order,
            cast(
                {%- if unit == 'count' %}
                    coalesce({{ kpi_name }}, 0)
                {%- else %}
                    {{ kpi_name }}
                {%- endif %}
                as double
            ) as value  -- noqa: RF04

        from daily_values
        {%- if not loop.last %}

            union all
        {% endif %}
    {%- endfor %}

)

select * from kpis_unpivoted
