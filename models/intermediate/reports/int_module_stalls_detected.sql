{#- For the latest complete day: modules where learners stall, i.e. whose
    drop-off rate (learners whose furthest module it is, of those who reached
    it; fct_module_dropoff) is far above the pooled drop-off rate of all
    other modules: two-proportion z-test. The last module of a course is
    skipped (there is no next module to go on to). Cut-offs from the recommendation_thresholds seed
    (detector module_stall). -#}

{%- set detector = 'module_stall' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

module_dropoff as (

    select * from {{ ref('fct_module_dropoff') }}

),

modules as (

    select * from {{ ref('dim_modules') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'min_reached_learners') }}
            as min_reached_learners,
        {{ recommendation_threshold(detector, 'min_rate_ratio') }}
            as min_rate_ratio,
        {{ recommendation_threshold(detector, 'max_p_value') }}
            as max_p_value,
        {{ recommendation_threshold(detector, 'high_p_value') }}
            as high_p_value

),

modules_with_others as (

    select
        module_dropoff.*,
        sum(module_dropoff.dropped_off_count) over ()
        - module_dropoff.dropped_off_count as others_dropped_off_count,
        sum(module_dropoff.reached_count) over ()
        - module_dropoff.reached_count as others_reached_count

    from module_dropoff

),

modules_tested as (

    select
        modules_with_others.*,
        cast(others_dropped_off_count as double)
        / nullif(others_reached_count, 0) as others_dropoff_rate,
        {{ two_proportion_z_score(
            'dropped_off_count', 'reached_count',
            'others_dropped_off_count', 'others_reached_count'
        ) }} as z_score

    from modules_with_others

),

modules_flagged as (

    select
        modules_tested.*,
        {{ two_sided_p_value('modules_tested.z_score') }} as p_value,
        thresholds.high_p_value

    from modules_tested
    cross join thresholds
    where
        modules_tested.reached_count >= thresholds.min_reached_learners
        and modules_tested.z_score > 0
        and modules_tested.dropoff_rate
        >= thresholds.min_rate_ratio * modules_tested.others_dropoff_rate
        and {{ two_sided_p_value('modules_tested.z_score') }}
        <= thresholds.max_p_value

),

findings as (

    select
        reporting_days.report_date,
        'learning' as area,
        '{{ detector }}' as detector,
        'module_dropoff_rate' as metric,
        'module' as entity_type,
        modules_flagged.module_id as entity_id,
        coalesce(modules.course_title, modules_flagged.course_id)
        || ' - module '
        || cast(modules_flagged.module_position as string) as entity_name,
        modules_flagged.course_id as breakdown,
        'up' as direction,
        cast(round(100 * modules_flagged.dropoff_rate, 1) as string)
        || '% of ' || cast(modules_flagged.reached_count as string)
        || ' learners who reached module '
        || cast(modules_flagged.module_position as string) || ' of "'
        || coalesce(modules.course_title, modules_flagged.course_id)
        || '" went no further (other modules: '
        || cast(round(100 * modules_flagged.others_dropoff_rate, 1) as string)
        || '%).' as finding,
        modules_flagged.dropoff_rate as value,  -- noqa: RF04
        modules_flagged.others_dropoff_rate as baseline,
        modules_flagged.dropoff_rate
        - modules_flagged.others_dropoff_rate as effect_size,
        modules_flagged.reached_count
        + modules_flagged.others_reached_count as sample_size,
        modules_flagged.z_score as test_statistic,
        modules_flagged.p_value,
        case
            when modules_flagged.p_value <= modules_flagged.high_p_value
                then 'high'
            else 'medium'
        end as severity,
        'Review this module''s length and difficulty; consider splitting it '
        || 'or adding a recap, and nudge learners who stopped here.'
            as recommended_action,
        cast(null as string) as contact_key

    from modules_flagged
    cross join reporting_days
    left join modules
        on modules_flagged.module_id = modules.module_id
    where
        reporting_days.is_latest_complete_day
        and not modules.is_last_module

)

select * from findings
