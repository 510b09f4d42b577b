{#- For the latest complete day: paid courses that users wishlist at least as
    often as other courses (click -> wishlist rate) but rarely buy
    (wishlist -> paid conversion far below the other paid courses, pooled;
    two-proportion z-test). Lifetime funnel of fct_purchase_funnel, all
    platforms. Cut-offs from the recommendation_thresholds seed (detector
    course_wishlist_no_buy). -#}

{%- set detector = 'course_wishlist_no_buy' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

purchase_funnel as (

    select * from {{ ref('fct_purchase_funnel') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'min_interested_users') }}
            as min_interested_users,
        {{ recommendation_threshold(detector, 'max_conversion_ratio') }}
            as max_conversion_ratio,
        {{ recommendation_threshold(detector, 'max_p_value') }}
            as max_p_value,
        {{ recommendation_threshold(detector, 'high_p_value') }}
            as high_p_value

),

course_steps as (

    select
        purchase_funnel.course_id,
        max(case
            when purchase_funnel.step_name = 'click'
                then purchase_funnel.users_count
        end) as clicked_count,
        max(case
            when purchase_funnel.step_name = 'wishlist'
                then purchase_funnel.users_count
        end) as wishlisted_count,
        max(case
            when purchase_funnel.step_name = 'payment_succeeded'
                then purchase_funnel.users_count
        end) as paid_count

    from purchase_funnel
    inner join courses
        on purchase_funnel.course_id = courses.course_id
    where not courses.is_free
    group by 1

),

courses_with_others as (

    select
        course_steps.*,
        sum(clicked_count) over () - clicked_count as others_clicked_count,
        sum(wishlisted_count) over () - wishlisted_count
            as others_wishlisted_count,
        sum(paid_count) over () - paid_count as others_paid_count

    from course_steps

),

courses_tested as (

    select
        courses_with_others.*,
        cast(wishlisted_count as double)
        / nullif(clicked_count, 0) as wishlist_rate,
        cast(others_wishlisted_count as double)
        / nullif(others_clicked_count, 0) as others_wishlist_rate,
        cast(paid_count as double)
        / nullif(wishlisted_count, 0) as conversion_rate,
        cast(others_paid_count as double)
        / nullif(others_wishlisted_count, 0) as others_conversion_rate,
        {{ two_proportion_z_score(
            'paid_count', 'wishlisted_count',
            'others_paid_count', 'others_wishlisted_count'
        ) }} as z_score

    from courses_with_others

),

courses_flagged as (

    select
        courses_tested.*,
        {{ two_sided_p_value('courses_tested.z_score') }} as p_value,
        thresholds.high_p_value

    from courses_tested
    cross join thresholds
    where
        courses_tested.wishlisted_count >= thresholds.min_interested_users
        and courses_tested.wishlist_rate >= courses_tested.others_wishlist_rate
        and courses_tested.z_score < 0
        and courses_tested.conversion_rate
        <= thresholds.max_conversion_ratio
        * courses_tested.others_conversion_rate
        and {{ two_sided_p_value('courses_tested.z_score') }}
        <= thresholds.max_p_value

),

findings as (

    select
        reporting_days.report_date,
        'commerce' as area,
        '{{ detector }}' as detector,
        'wishlist_to_paid_rate' as metric,
        'course' as entity_type,
        courses_flagged.course_id as entity_id,
        courses.course_title as entity_name,
        'all platforms' as breakdown,
        'down' as direction,
        '"' || courses.course_title || '" is wishlisted by '
        || cast(round(100 * courses_flagged.wishlist_rate, 1) as string)
        || '% of the users who click it, but only '
        || cast(round(100 * courses_flagged.conversion_rate, 1) as string)
        || '% of ' || cast(courses_flagged.wishlisted_count as string)
        || ' wishlisters buy it (other paid courses: '
        || cast(
            round(100 * courses_flagged.others_conversion_rate, 1)
            as string
        )
        || '%).' as finding,
        courses_flagged.conversion_rate as value,  -- noqa: RF04
        courses_flagged.others_conversion_rate as baseline,
        courses_flagged.conversion_rate
        - courses_flagged.others_conversion_rate as effect_size,
        courses_flagged.wishlisted_count
        + courses_flagged.others_wishlisted_count as sample_size,
        courses_flagged.z_score as test_statistic,
        courses_flagged.p_value,
        case
            when courses_flagged.p_value <= courses_flagged.high_p_value
                then 'high'
            else 'medium'
        end as severity,
        'Demand is there but purchases are not: check the price and the '
        || 'checkout of this course, and try a wishlist reminder or a '
        || 'time-limited offer.' as recommended_action,
        cast(null as string) as contact_key

    from courses_flagged
    cross join reporting_days
    left join courses
        on courses_flagged.course_id = courses.course_id
    where reporting_days.is_latest_complete_day

)

select * from findings
