{#- For the latest complete day: courses whose buyers often never start them.
    Counts paid, not refunded orders paid at least `grace_days` before the
    report day, and the share of their users with no enrollment in the course
    (fct_course_enrollments). Cut-offs from the recommendation_thresholds seed
    (detector course_bought_not_started); no statistical test: the share
    itself is the evidence, shown beside the share over all courses. -#}

{%- set detector = 'course_bought_not_started' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

purchases as (

    select * from {{ ref('fct_purchases') }}

),

course_enrollments as (

    select * from {{ ref('fct_course_enrollments') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'grace_days') }}
            as grace_days,
        {{ recommendation_threshold(detector, 'min_buyers') }}
            as min_buyers,
        {{ recommendation_threshold(detector, 'min_not_started_rate') }}
            as min_not_started_rate,
        {{ recommendation_threshold(detector, 'high_not_started_rate') }}
            as high_not_started_rate

),

latest_day as (

    select report_date from reporting_days
    where is_latest_complete_day

),

buyers as (

    select distinct
        purchases.user_id,
        purchases.course_id

    from purchases
    cross join latest_day
    cross join thresholds
    where
        purchases.is_paid
        and not purchases.is_refunded
        and {{ dbt.datediff(
            'purchases.paid_date', 'latest_day.report_date', 'day'
        ) }} >= thresholds.grace_days

),

buyers_started as (

    select
        buyers.course_id,
        count(*) as buyers_count,
        count(
            case when course_enrollments.enrollment_id is null then 1 end
        ) as not_started_count

    from buyers
    left join course_enrollments
        on
            buyers.user_id = course_enrollments.user_id
            and buyers.course_id = course_enrollments.course_id
    group by 1

),

rates_computed as (

    select
        buyers_started.*,
        cast(not_started_count as double) / buyers_count as not_started_rate,
        cast(sum(not_started_count) over () as double)
        / sum(buyers_count) over () as all_courses_not_started_rate

    from buyers_started

),

courses_flagged as (

    select
        rates_computed.*,
        thresholds.high_not_started_rate

    from rates_computed
    cross join thresholds
    where
        rates_computed.buyers_count >= thresholds.min_buyers
        and rates_computed.not_started_rate >= thresholds.min_not_started_rate

),

findings as (

    select
        latest_day.report_date,
        'learning' as area,
        '{{ detector }}' as detector,
        'bought_not_started_rate' as metric,
        'course' as entity_type,
        courses_flagged.course_id as entity_id,
        coalesce(courses.course_title, courses_flagged.course_id)
            as entity_name,
        'all platforms' as breakdown,
        'up' as direction,
        cast(courses_flagged.not_started_count as string) || ' of '
        || cast(courses_flagged.buyers_count as string)
        || ' buyers of "'
        || coalesce(courses.course_title, courses_flagged.course_id)
        || '" never started it (all courses: '
        || cast(
            round(100 * courses_flagged.all_courses_not_started_rate, 1)
            as string
        )
        || '%).' as finding,
        courses_flagged.not_started_rate as value,  -- noqa: RF04
        courses_flagged.all_courses_not_started_rate as baseline,
        courses_flagged.not_started_rate
        - courses_flagged.all_courses_not_started_rate as effect_size,
        courses_flagged.buyers_count as sample_size,
        cast(null as double) as test_statistic,
        cast(null as double) as p_value,
        case
            when
                courses_flagged.not_started_rate
                >= courses_flagged.high_not_started_rate
                then 'high'
            else 'medium'
        end as severity,
        'Send buyers who have not started an onboarding message with the '
        || 'first lesson, and check the course start screen works.'
            as recommended_action,
        cast(null as string) as contact_key

    from courses_flagged
    cross join latest_day
    left join courses
        on courses_flagged.course_id = courses.course_id

)

select * from findings
