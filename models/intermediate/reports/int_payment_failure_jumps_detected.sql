{#- For every reporting day, each payment method x platform whose failure
    rate in the recent window (the report day and the days before it) jumped
    against the baseline window right before it: two-proportion z-test of
    failed / attempts, recent vs baseline. Windows and cut-offs come from the
    recommendation_thresholds seed (detector payment_failure_jump). -#}

{%- set detector = 'payment_failure_jump' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

payment_attempts as (

    select * from {{ ref('fct_payment_attempts') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'recent_days') }}
            as recent_days,
        {{ recommendation_threshold(detector, 'baseline_days') }}
            as baseline_days,
        {{ recommendation_threshold(detector, 'min_recent_attempts') }}
            as min_recent_attempts,
        {{ recommendation_threshold(detector, 'min_baseline_attempts') }}
            as min_baseline_attempts,
        {{ recommendation_threshold(detector, 'min_rate_ratio') }}
            as min_rate_ratio,
        {{ recommendation_threshold(detector, 'max_p_value') }}
            as max_p_value,
        {{ recommendation_threshold(detector, 'high_p_value') }}
            as high_p_value

),

attempts_by_day as (

    select
        occurred_date,
        payment_method,
        platform,
        count(*) as attempts_count,
        count(case when is_failed then 1 end) as failed_count

    from payment_attempts
    group by 1, 2, 3

),

attempts_in_windows as (

    select
        reporting_days.report_date,
        attempts_by_day.payment_method,
        attempts_by_day.platform,
        attempts_by_day.attempts_count,
        attempts_by_day.failed_count,
        {{ dbt.datediff(
            'attempts_by_day.occurred_date', 'reporting_days.report_date', 'day'
        ) }} < thresholds.recent_days as is_recent

    from reporting_days
    cross join thresholds
    inner join attempts_by_day
        on
            reporting_days.report_date >= attempts_by_day.occurred_date
            and {{ dbt.datediff(
                'attempts_by_day.occurred_date',
                'reporting_days.report_date',
                'day'
            ) }} < thresholds.recent_days + thresholds.baseline_days

),

windows_summed as (

    select
        report_date,
        payment_method,
        platform,
        sum(case when is_recent then attempts_count else 0 end)
            as recent_attempts_count,
        sum(case when is_recent then failed_count else 0 end)
            as recent_failed_count,
        sum(case when not is_recent then attempts_count else 0 end)
            as baseline_attempts_count,
        sum(case when not is_recent then failed_count else 0 end)
            as baseline_failed_count

    from attempts_in_windows
    group by 1, 2, 3

),

rates_tested as (

    select
        windows_summed.*,
        cast(recent_failed_count as double)
        / nullif(recent_attempts_count, 0) as recent_failure_rate,
        cast(baseline_failed_count as double)
        / nullif(baseline_attempts_count, 0) as baseline_failure_rate,
        {{ two_proportion_z_score(
            'recent_failed_count', 'recent_attempts_count',
            'baseline_failed_count', 'baseline_attempts_count'
        ) }} as z_score

    from windows_summed

),

jumps_flagged as (

    select
        rates_tested.*,
        {{ two_sided_p_value('rates_tested.z_score') }} as p_value,
        thresholds.high_p_value

    from rates_tested
    cross join thresholds
    where
        rates_tested.recent_attempts_count >= thresholds.min_recent_attempts
        and rates_tested.baseline_attempts_count
        >= thresholds.min_baseline_attempts
        and rates_tested.z_score > 0
        and rates_tested.recent_failure_rate
        >= thresholds.min_rate_ratio * rates_tested.baseline_failure_rate
        and {{ two_sided_p_value('rates_tested.z_score') }}
        <= thresholds.max_p_value

),

findings as (

    select
        report_date,
        'commerce' as area,
        '{{ detector }}' as detector,
        'payment_failure_rate' as metric,
        'payment_method' as entity_type,
        payment_method as entity_id,
        payment_method || ' on ' || platform as entity_name,
        platform as breakdown,
        'up' as direction,
        'Payment failures with ' || payment_method || ' on ' || platform
        || ' jumped to ' || cast(round(100 * recent_failure_rate, 1) as string)
        || '% of ' || cast(recent_attempts_count as string)
        || ' attempts in the recent window, from '
        || cast(round(100 * baseline_failure_rate, 1) as string)
        || '% before.' as finding,
        recent_failure_rate as value,  -- noqa: RF04
        baseline_failure_rate as baseline,
        recent_failure_rate - baseline_failure_rate as effect_size,
        recent_attempts_count + baseline_attempts_count as sample_size,
        z_score as test_statistic,
        p_value,
        case when p_value <= high_p_value then 'high' else 'medium' end
            as severity,
        'Check the ' || payment_method || ' integration on ' || platform
        || ' (provider status, recent app release, failure reasons) and '
        || 'offer another payment method to affected users.'
            as recommended_action,
        cast(null as string) as contact_key

    from jumps_flagged

)

select * from findings
