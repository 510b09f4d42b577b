{#- For the latest complete day: users at risk of churning, one finding per
    user listing every reason that applies (a campaign target list; the user
    is identified by user_id and the pseudonymous contact_key only):
    - went quiet after a high-engagement period: no activity in the last
      `inactive_days` days, but at least `min_engaged_active_days` active
      days in the `engaged_days_window` days before that;
    - uninstalled within `uninstall_after_failure_days` days after a failed
      payment attempt (and is still uninstalled), the uninstall in the last
      `recent_days` days;
    - stalled in a course they paid for (fct_course_enrollments.is_stalled:
      no progress for var behavior__stalled_after_days days).
    Severity: high with two or more reasons, medium for the inactivity or
    uninstall reason alone, low for a stalled course alone. Cut-offs from the
    recommendation_thresholds seed (detector churn_risk_user). -#}

{%- set detector = 'churn_risk_user' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

payment_attempts as (

    select * from {{ ref('fct_payment_attempts') }}

),

course_enrollments as (

    select * from {{ ref('fct_course_enrollments') }}

),

purchases as (

    select * from {{ ref('fct_purchases') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'inactive_days') }}
            as inactive_days,
        {{ recommendation_threshold(detector, 'engaged_days_window') }}
            as engaged_days_window,
        {{ recommendation_threshold(detector, 'min_engaged_active_days') }}
            as min_engaged_active_days,
        {{ recommendation_threshold(detector, 'uninstall_after_failure_days') }}
            as uninstall_after_failure_days,
        {{ recommendation_threshold(detector, 'recent_days') }}
            as recent_days

),

latest_day as (

    select report_date from reporting_days
    where is_latest_complete_day

),

activity_read_window as (

    {#- The active days the inactivity reason reads. Only a user with an
        active day in the engaged window can go quiet (when the seed asks for
        at least one engaged day), and that user's last active day is in the
        window or after it: the days before the window are not read. Scalar
        bounds, so the engine skips the older days while scanning. -#}
    select
        case
            when thresholds.min_engaged_active_days >= 1
                then cast({{ dbt.dateadd(
                    'day',
                    '-1 * (thresholds.inactive_days'
                    ~ ' + thresholds.engaged_days_window - 1)',
                    'latest_day.report_date'
                ) }} as date)
            else cast('1900-01-01' as date)
        end as first_read_date,
        latest_day.report_date as last_read_date

    from latest_day
    cross join thresholds

),

activity_summarized as (

    select
        user_daily_activity.user_id,
        max(user_daily_activity.activity_date) as last_active_date,
        count(
            case
                when
                    {{ dbt.datediff(
                        'user_daily_activity.activity_date',
                        'latest_day.report_date',
                        'day'
                    ) }} >= thresholds.inactive_days
                    and {{ dbt.datediff(
                        'user_daily_activity.activity_date',
                        'latest_day.report_date',
                        'day'
                    ) }} < thresholds.inactive_days
                    + thresholds.engaged_days_window
                    then 1
            end
        ) as engaged_active_days_count

    from user_daily_activity
    cross join latest_day
    cross join thresholds
    where
        user_daily_activity.activity_date >= (
            select activity_read_window.first_read_date
            from activity_read_window
        )
        and user_daily_activity.activity_date <= (
            select activity_read_window.last_read_date
            from activity_read_window
        )
    group by 1

),

went_quiet as (

    select
        activity_summarized.user_id,
        1 as reason_order,
        'inactive for '
        || cast({{ dbt.datediff(
            'activity_summarized.last_active_date',
            'latest_day.report_date',
            'day'
        ) }} as string)
        || ' days after '
        || cast(activity_summarized.engaged_active_days_count as string)
        || ' active days' as reason

    from activity_summarized
    cross join latest_day
    cross join thresholds
    where
        {{ dbt.datediff(
            'activity_summarized.last_active_date',
            'latest_day.report_date',
            'day'
        ) }} >= thresholds.inactive_days
        and activity_summarized.engaged_active_days_count
        >= thresholds.min_engaged_active_days

),

uninstalled_after_failure as (

    select
        users.user_id,
        2 as reason_order,
        'uninstalled the app ' || cast(min({{ dbt.datediff(
            'payment_attempts.occurred_at', 'users.uninstalled_at', 'day'
        ) }}) as string) || ' days after a failed '
        || max(payment_attempts.payment_method) || ' payment' as reason

    from users
    cross join latest_day
    cross join thresholds
    inner join payment_attempts
        on
            users.user_id = payment_attempts.user_id
            and payment_attempts.is_failed
            and users.uninstalled_at >= payment_attempts.occurred_at
            and {{ dbt.datediff(
                'payment_attempts.occurred_at', 'users.uninstalled_at', 'day'
            ) }} <= thresholds.uninstall_after_failure_days
    where
        users.install_state = 'uninstalled'
        and {{ to_reporting_date('users.uninstalled_at') }}
        <= latest_day.report_date
        and {{ dbt.datediff(
            to_reporting_date('users.uninstalled_at'),
            'latest_day.report_date',
            'day'
        ) }} < thresholds.recent_days
    group by 1

),

stalled_paid_course as (

    select
        course_enrollments.user_id,
        3 as reason_order,
        'stalled in paid course ' || min(course_enrollments.course_id)
        || ' for ' || cast(
            max(course_enrollments.days_since_last_progress)
            as string
        )
        || ' days' as reason

    from course_enrollments
    inner join purchases
        on
            course_enrollments.user_id = purchases.user_id
            and course_enrollments.course_id = purchases.course_id
            and purchases.is_paid
            and not purchases.is_refunded
    where course_enrollments.is_stalled
    group by 1

),

reasons_unioned as (

    select * from went_quiet
    union all
    select * from uninstalled_after_failure
    union all
    select * from stalled_paid_course

),

reasons_per_user as (

    select
        user_id,
        count(*) as reasons_count,
        min(reason_order) as first_reason_order,
        {{ dbt.listagg('reason', "'; '", 'order by reason_order') }}
            as reasons

    from reasons_unioned
    group by 1

),

findings as (

    select
        latest_day.report_date,
        'retention' as area,
        '{{ detector }}' as detector,
        'churn_risk_reasons' as metric,
        'user' as entity_type,
        reasons_per_user.user_id as entity_id,
        'user ' || reasons_per_user.user_id as entity_name,
        users.platform as breakdown,
        'up' as direction,
        'User ' || reasons_per_user.user_id || ' is at risk of churning: '
        || reasons_per_user.reasons || '.' as finding,
        cast(reasons_per_user.reasons_count as double) as value,  -- noqa: RF04
        cast(null as double) as baseline,
        cast(null as double) as effect_size,
        cast(null as bigint) as sample_size,
        cast(null as double) as test_statistic,
        cast(null as double) as p_value,
        case
            when reasons_per_user.reasons_count >= 2 then 'high'
            when reasons_per_user.first_reason_order <= 2 then 'medium'
            else 'low'
        end as severity,
        'Add to the win-back campaign (by contact_key): '
        || case reasons_per_user.first_reason_order
            when 1 then 'a "we miss you" message with their next lesson.'
            when 2 then 'an apology and another way to pay.'
            else 'a reminder with the next module of their course.'
        end as recommended_action,
        users.contact_key

    from reasons_per_user
    cross join latest_day
    inner join users
        on reasons_per_user.user_id = users.user_id

)

select * from findings
