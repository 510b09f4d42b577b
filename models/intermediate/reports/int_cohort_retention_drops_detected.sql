{#- For the latest complete day: is the newest weekly sign-up cohort whose
    week 1 is complete retaining worse than the earlier cohorts? Week-1
    retention (fct_retention_cohorts: returned in week 1 after the sign-up
    week) of that cohort against all earlier cohorts pooled: two-proportion
    z-test. Cut-offs from the recommendation_thresholds seed (detector
    cohort_retention_drop). -#}

{%- set detector = 'cohort_retention_drop' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

retention_cohorts as (

    select * from {{ ref('fct_retention_cohorts') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'min_cohort_users') }}
            as min_cohort_users,
        {{ recommendation_threshold(detector, 'min_relative_drop') }}
            as min_relative_drop,
        {{ recommendation_threshold(detector, 'max_p_value') }}
            as max_p_value,
        {{ recommendation_threshold(detector, 'high_p_value') }}
            as high_p_value

),

week_one as (

    select
        cohort_date,
        cohort_size,
        returned_on_count,
        row_number() over (order by cohort_date desc) as recency_rank

    from retention_cohorts
    where
        cohort_granularity = 'week'
        and period_offset = 1
        and is_complete

),

newest_cohort as (

    select * from week_one
    where recency_rank = 1

),

earlier_cohorts_pooled as (

    select
        count(*) as earlier_cohorts_count,
        sum(cohort_size) as earlier_size,
        sum(returned_on_count) as earlier_returned_count

    from week_one
    where recency_rank > 1

),

newest_against_earlier as (

    select
        newest_cohort.cohort_date,
        newest_cohort.cohort_size,
        newest_cohort.returned_on_count,
        earlier_cohorts_pooled.earlier_cohorts_count,
        earlier_cohorts_pooled.earlier_size,
        earlier_cohorts_pooled.earlier_returned_count

    from newest_cohort
    cross join earlier_cohorts_pooled

),

cohort_tested as (

    select
        newest_against_earlier.*,
        cast(returned_on_count as double)
        / nullif(cohort_size, 0) as retention_rate,
        cast(earlier_returned_count as double)
        / nullif(earlier_size, 0) as earlier_retention_rate,
        {{ two_proportion_z_score(
            'returned_on_count', 'cohort_size',
            'earlier_returned_count', 'earlier_size'
        ) }} as z_score

    from newest_against_earlier

),

cohort_flagged as (

    select
        cohort_tested.*,
        {{ two_sided_p_value('cohort_tested.z_score') }} as p_value,
        thresholds.high_p_value

    from cohort_tested
    cross join thresholds
    where
        cohort_tested.cohort_size >= thresholds.min_cohort_users
        and cohort_tested.z_score < 0
        and cohort_tested.retention_rate
        <= (1 - thresholds.min_relative_drop)
        * cohort_tested.earlier_retention_rate
        and {{ two_sided_p_value('cohort_tested.z_score') }}
        <= thresholds.max_p_value

),

findings as (

    select
        reporting_days.report_date,
        'retention' as area,
        '{{ detector }}' as detector,
        'week1_retention_rate' as metric,
        'user_segment' as entity_type,
        'signup_week_' || cast(cohort_flagged.cohort_date as string)
            as entity_id,
        'Users who signed up in the week of '
        || cast(cohort_flagged.cohort_date as string) as entity_name,
        'weekly sign-up cohort' as breakdown,
        'down' as direction,
        'Only ' || cast(
            round(100 * cohort_flagged.retention_rate, 1)
            as string
        )
        || '% of the ' || cast(cohort_flagged.cohort_size as string)
        || ' users who signed up in the week of '
        || cast(cohort_flagged.cohort_date as string)
        || ' came back in the week after their sign-up week, against '
        || cast(
            round(100 * cohort_flagged.earlier_retention_rate, 1)
            as string
        )
        || '% for the ' || cast(cohort_flagged.earlier_cohorts_count as string)
        || ' earlier cohorts.' as finding,
        cohort_flagged.retention_rate as value,  -- noqa: RF04
        cohort_flagged.earlier_retention_rate as baseline,
        cohort_flagged.retention_rate
        - cohort_flagged.earlier_retention_rate as effect_size,
        cohort_flagged.cohort_size + cohort_flagged.earlier_size as sample_size,
        cohort_flagged.z_score as test_statistic,
        cohort_flagged.p_value,
        case
            when cohort_flagged.p_value <= cohort_flagged.high_p_value
                then 'high'
            else 'medium'
        end as severity,
        'Compare this cohort''s acquisition channels and onboarding with '
        || 'earlier ones, and check releases that week.' as recommended_action,
        cast(null as string) as contact_key

    from cohort_flagged
    cross join reporting_days
    where reporting_days.is_latest_complete_day

)

select * from findings
