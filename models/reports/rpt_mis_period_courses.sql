{#- The purchase funnel per course for the three periods of the daily MIS
    report: the report day, the 7 days and the 28 days ending on it. A
    funnel (user x course, int_course_funnels_ordered: its counted, best
    attempt) belongs to a period when its click fell in the period; a step
    counts when it was reached by the end of the report day. Like the
    funnel_conversion_rate KPI, a past day's numbers change only when a
    later attempt of a funnel converts and so becomes its counted attempt.
    Steps 1-6 (click to first module started); course completion is in
    fct_purchase_funnel (whole history). -#}

{%- set periods = [('day', 1), ('7_days', 7), ('28_days', 28)] -%}
{%- set steps = [
    ('clicked', 'clicked_at'),
    ('wishlisted', 'wishlisted_at'),
    ('carted', 'carted_at'),
    ('purchase_attempted', 'purchase_attempted_at'),
    ('paid', 'paid_at'),
    ('module_started', 'first_module_started_at'),
] -%}

with

course_funnels as (

    select * from {{ ref('int_course_funnels_ordered') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

periods as (

    {%- for period_name, period_days in periods %}
        select
            '{{ period_name }}' as period_name,
            {{ period_days }} as period_days
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

funnel_step_dates as (

    select
        course_id,
        {%- for step_name, column_name in steps %}
            {{ to_reporting_date(column_name) }} as {{ step_name }}_date,
        {%- endfor %}
        count(*) as funnels_count

    from course_funnels
    group by {{ range(1, steps | length + 2) | join(', ') }}

),

period_windows as (

    select
        reporting_days.report_date,
        periods.period_name,
        periods.period_days,
        cast({{ dbt.dateadd(
            'day', '1 - periods.period_days', 'reporting_days.report_date'
        ) }} as date) as period_start_date

    from reporting_days
    cross join periods

),

courses_counted as (

    select
        period_windows.report_date,
        period_windows.period_name,
        period_windows.period_days,
        period_windows.period_start_date,
        funnel_step_dates.course_id,
        {%- for step_name, column_name in steps %}
            cast(sum(
                case
                    when
                        funnel_step_dates.{{ step_name }}_date
                        <= period_windows.report_date
                        then funnel_step_dates.funnels_count
                    else 0
                end
            ) as bigint) as {{ step_name }}_funnels_count
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from period_windows
    inner join funnel_step_dates
        on
            funnel_step_dates.clicked_date
            between period_windows.period_start_date
            and period_windows.report_date
    group by 1, 2, 3, 4, 5

),

courses_ranked as (

    select
        {{ surrogate_key([
            'courses_counted.report_date',
            'courses_counted.period_name',
            'courses_counted.course_id',
        ]) }} as period_course_id,
        courses_counted.report_date,
        courses_counted.period_name,
        courses_counted.period_days,
        courses_counted.period_start_date,
        courses_counted.course_id,
        courses.course_title,
        courses.is_free,
        {%- for step_name, column_name in steps %}
            courses_counted.{{ step_name }}_funnels_count,
        {%- endfor %}
        cast(courses_counted.paid_funnels_count as double)
        / nullif(courses_counted.clicked_funnels_count, 0)
            as click_to_paid_rate,
        cast(row_number() over (
            partition by
                courses_counted.report_date, courses_counted.period_name
            order by
                courses_counted.clicked_funnels_count desc,
                courses_counted.paid_funnels_count desc,
                courses_counted.course_id asc
        ) as integer) as course_rank

    from courses_counted
    left join courses
        on courses_counted.course_id = courses.course_id

)

select * from courses_ranked
