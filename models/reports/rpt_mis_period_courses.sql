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

period_offsets as (

    {#- Each period's report days relative to a click day: a funnel clicked
        on day c belongs to the period ending on report day c + day_offset
        for every day_offset below the period's length. An equi-join on the
        report day instead of a range join of every funnel group with every
        period window. -#}
    {%- for period_name, period_days in periods %}
        {%- set outer_loop = loop %}
        {%- for day_offset in range(period_days) %}
            select
                '{{ period_name }}' as period_name,
                {{ period_days }} as period_days,
                {{ day_offset }} as day_offset
            {%- if not (outer_loop.last and loop.last) %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}

),

funnel_windows as (

    select
        reporting_days.report_date,
        period_offsets.period_days,
        funnel_step_dates.course_id,
        {%- for step_name, column_name in steps %}
            funnel_step_dates.{{ step_name }}_date,
        {%- endfor %}
        funnel_step_dates.funnels_count

    from funnel_step_dates
    cross join period_offsets
    inner join reporting_days
        on reporting_days.report_date = cast({{ dbt.dateadd(
            'day', 'period_offsets.day_offset', 'funnel_step_dates.clicked_date'
        ) }} as date)

),

courses_summed as (

    select
        report_date,
        period_days,
        course_id,
        {%- for step_name, column_name in steps %}
            cast(sum(
                case
                    when {{ step_name }}_date <= report_date
                        then funnels_count
                    else 0
                end
            ) as bigint) as {{ step_name }}_funnels_count
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from funnel_windows
    group by 1, 2, 3

),

courses_counted as (

    select
        courses_summed.report_date,
        periods.period_name,
        courses_summed.period_days,
        cast({{ dbt.dateadd(
            'day', '1 - courses_summed.period_days', 'courses_summed.report_date'
        ) }} as date) as period_start_date,
        courses_summed.course_id,
        {%- for step_name, column_name in steps %}
            courses_summed.{{ step_name }}_funnels_count
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from courses_summed
    inner join periods
        on courses_summed.period_days = periods.period_days

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
