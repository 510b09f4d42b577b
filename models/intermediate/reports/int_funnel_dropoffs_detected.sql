{#- For the latest complete day: each course x platform x funnel step whose
    conversion from the previous step is unusually low against the same step
    of all other courses on the same platform (pooled): two-proportion z-test.
    Reads the lifetime funnel of fct_purchase_funnel_by_platform. Cut-offs from the
    recommendation_thresholds seed (detector funnel_step_dropoff). -#}

{%- set detector = 'funnel_step_dropoff' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

purchase_funnel as (

    select * from {{ ref('fct_purchase_funnel_by_platform') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'min_step_users') }}
            as min_step_users,
        {{ recommendation_threshold(detector, 'min_relative_drop') }}
            as min_relative_drop,
        {{ recommendation_threshold(detector, 'max_p_value') }}
            as max_p_value,
        {{ recommendation_threshold(detector, 'high_p_value') }}
            as high_p_value

),

steps_with_previous as (

    select
        course_id,
        platform,
        step_number,
        step_name,
        users_count,
        lag(users_count) over (
            partition by course_id, platform
            order by step_number
        ) as previous_users_count,
        lag(step_name) over (
            partition by course_id, platform
            order by step_number
        ) as previous_step_name

    from purchase_funnel

),

steps_with_others as (

    select
        steps_with_previous.*,
        sum(steps_with_previous.users_count) over (
            partition by
                steps_with_previous.platform, steps_with_previous.step_number
        ) - steps_with_previous.users_count as others_users_count,
        sum(steps_with_previous.previous_users_count) over (
            partition by
                steps_with_previous.platform, steps_with_previous.step_number
        ) - steps_with_previous.previous_users_count
            as others_previous_users_count

    from steps_with_previous
    where steps_with_previous.step_number > 1

),

steps_tested as (

    select
        steps_with_others.*,
        cast(users_count as double)
        / nullif(previous_users_count, 0) as step_conversion_rate,
        cast(others_users_count as double)
        / nullif(others_previous_users_count, 0) as others_conversion_rate,
        {{ two_proportion_z_score(
            'users_count', 'previous_users_count',
            'others_users_count', 'others_previous_users_count'
        ) }} as z_score

    from steps_with_others

),

dropoffs_flagged as (

    select
        steps_tested.*,
        {{ two_sided_p_value('steps_tested.z_score') }} as p_value,
        thresholds.high_p_value

    from steps_tested
    cross join thresholds
    where
        steps_tested.previous_users_count >= thresholds.min_step_users
        and steps_tested.z_score < 0
        and steps_tested.step_conversion_rate
        <= (1 - thresholds.min_relative_drop)
        * steps_tested.others_conversion_rate
        and {{ two_sided_p_value('steps_tested.z_score') }}
        <= thresholds.max_p_value

),

findings as (

    select
        reporting_days.report_date,
        'commerce' as area,
        '{{ detector }}' as detector,
        'step_conversion_rate' as metric,
        'course' as entity_type,
        dropoffs_flagged.course_id as entity_id,
        coalesce(courses.course_title, dropoffs_flagged.course_id)
            as entity_name,
        dropoffs_flagged.platform || ': ' || dropoffs_flagged.previous_step_name
        || ' -> ' || dropoffs_flagged.step_name as breakdown,
        'down' as direction,
        'On ' || dropoffs_flagged.platform || ', only '
        || cast(
            round(100 * dropoffs_flagged.step_conversion_rate, 1)
            as string
        )
        || '% of ' || cast(dropoffs_flagged.previous_users_count as string)
        || ' users go from ' || dropoffs_flagged.previous_step_name || ' to '
        || dropoffs_flagged.step_name || ' for "'
        || coalesce(courses.course_title, dropoffs_flagged.course_id)
        || '", against '
        || cast(
            round(100 * dropoffs_flagged.others_conversion_rate, 1)
            as string
        )
        || '% on other courses.' as finding,
        dropoffs_flagged.step_conversion_rate as value,  -- noqa: RF04
        dropoffs_flagged.others_conversion_rate as baseline,
        dropoffs_flagged.step_conversion_rate
        - dropoffs_flagged.others_conversion_rate as effect_size,
        dropoffs_flagged.previous_users_count
        + dropoffs_flagged.others_previous_users_count as sample_size,
        dropoffs_flagged.z_score as test_statistic,
        dropoffs_flagged.p_value,
        case
            when dropoffs_flagged.p_value <= dropoffs_flagged.high_p_value
                then 'high'
            else 'medium'
        end as severity,
        'Review the '
        || dropoffs_flagged.step_name
        || ' step of this course on '
        || dropoffs_flagged.platform
        || ' (price shown, page errors, checkout flow) and test a fix.'
            as recommended_action,
        cast(null as string) as contact_key

    from dropoffs_flagged
    cross join reporting_days
    left join courses
        on dropoffs_flagged.course_id = courses.course_id
    where reporting_days.is_latest_complete_day

)

select * from findings
