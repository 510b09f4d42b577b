{#- For the latest complete day: features whose use in a user's first week
    goes with better day-30 retention (fct_feature_adoption: retained on or
    after day 30, mature users only), first-week users against non-users:
    two-proportion z-test. A correlation, not a cause: engaged users use more
    features. Cut-offs from the recommendation_thresholds seed (detector
    feature_retention_lift). -#}

{%- set detector = 'feature_retention_lift' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

feature_adoption as (

    select * from {{ ref('fct_feature_adoption') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'min_users_per_group') }}
            as min_users_per_group,
        {{ recommendation_threshold(detector, 'min_rate_ratio') }}
            as min_rate_ratio,
        {{ recommendation_threshold(detector, 'max_p_value') }}
            as max_p_value,
        {{ recommendation_threshold(detector, 'high_p_value') }}
            as high_p_value

),

features_tested as (

    select
        feature_adoption.*,
        {{ two_proportion_z_score(
            'retained_with_count', 'users_with_count',
            'retained_without_count', 'users_without_count'
        ) }} as z_score

    from feature_adoption

),

features_flagged as (

    select
        features_tested.*,
        {{ two_sided_p_value('features_tested.z_score') }} as p_value,
        thresholds.high_p_value

    from features_tested
    cross join thresholds
    where
        features_tested.users_with_count >= thresholds.min_users_per_group
        and features_tested.users_without_count
        >= thresholds.min_users_per_group
        and features_tested.z_score > 0
        and features_tested.d30_retention_with_rate
        >= thresholds.min_rate_ratio
        * features_tested.d30_retention_without_rate
        and {{ two_sided_p_value('features_tested.z_score') }}
        <= thresholds.max_p_value

),

findings as (

    select
        reporting_days.report_date,
        'retention' as area,
        '{{ detector }}' as detector,
        'd30_retention_rate' as metric,
        'user_segment' as entity_type,
        'first_week_' || features_flagged.feature_name as entity_id,
        'Users who used ' || features_flagged.feature_name
        || ' in their first week' as entity_name,
        features_flagged.feature_name as breakdown,
        'up' as direction,
        'Users who used ' || features_flagged.feature_name
        || ' in their first week were retained to day 30 more often ('
        || cast(
            round(100 * features_flagged.d30_retention_with_rate, 1)
            as string
        )
        || '% of ' || cast(features_flagged.users_with_count as string)
        || ') than those who did not ('
        || cast(
            round(100 * features_flagged.d30_retention_without_rate, 1)
            as string
        )
        || '%); this goes together with retention, it does not prove it '
        || 'causes it.' as finding,
        features_flagged.d30_retention_with_rate as value,  -- noqa: RF04
        features_flagged.d30_retention_without_rate as baseline,
        features_flagged.d30_retention_lift as effect_size,
        features_flagged.users_with_count
        + features_flagged.users_without_count as sample_size,
        features_flagged.z_score as test_statistic,
        features_flagged.p_value,
        case
            when features_flagged.p_value <= features_flagged.high_p_value
                then 'high'
            else 'medium'
        end as severity,
        'Test (A/B) surfacing ' || features_flagged.feature_name
        || ' in onboarding to see whether it causes better retention.'
            as recommended_action,
        cast(null as string) as contact_key

    from features_flagged
    cross join reporting_days
    where reporting_days.is_latest_complete_day

)

select * from findings
