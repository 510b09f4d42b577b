{#- One row per user. Personal data never reaches this model: the
    pseudonymous contact_key is keyed at load time, e-mail and phone never
    enter the warehouse. The sign-up day shown is never after the first active
    day: an event before the recorded sign-up (e.g. a skewed client clock)
    moves the cohort day to the first active day and sets
    is_active_before_signup (README, Loading real data). Users are read once:
    a second join of the users (then a view) ran the 100M build out of
    memory. The contract orders the columns. -#}

with

users as (

    select * from {{ ref('stg_app__users') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

app_sessions as (

    select * from {{ ref('fct_app_sessions') }}

),

course_enrollments as (

    select * from {{ ref('fct_course_enrollments') }}

),

quiz_attempts as (

    select * from {{ ref('fct_quiz_attempts') }}

),

purchases as (

    select * from {{ ref('fct_purchases') }}

),

activity_summarized as (

    select
        user_id,
        min(activity_date) as first_active_date,
        max(activity_date) as last_active_date,
        count(*) as active_days_count,
        sum(sessions_count) as sessions_count,
        sum(active_seconds) as active_seconds
    from user_daily_activity
    group by 1

),

off_spine_sessions_summarized as (

    {#- Sessions on a day the date spine cannot hold (a sentinel such as
        0001-01-01 or infinity, from another writer than the loader) are on
        no active day, and still the user's sessions: lifetime sessions and
        seconds count them, active days and first / last active days do not.
        Only the opened_date column is read. -#}
    select
        user_id,
        count(*) as sessions_count,
        sum(active_seconds) as active_seconds
    from app_sessions
    where not ({{ is_within_date_spine('opened_date') }})
    group by 1

),

enrollments_summarized as (

    select
        user_id,
        count(*) as courses_started_count,
        count(case when is_completed then 1 end) as courses_completed_count
    from course_enrollments
    group by 1

),

quizzes_summarized as (

    select
        user_id,
        count(distinct quiz_id) as quizzes_attempted_count,
        count(distinct case when is_passed then quiz_id end)
            as quizzes_passed_count
    from quiz_attempts
    group by 1

),

purchases_summarized as (

    select
        user_id,
        count(case when is_paid then 1 end) as paid_orders_count,
        min(case when is_paid then paid_at end) as first_purchase_at,
        sum(case when is_paid then gross_amount_usd else 0 end)
            as lifetime_gross_revenue_usd,
        sum(coalesce(refund_amount_usd, 0)) as lifetime_refunds_usd,
        sum(coalesce(net_revenue_usd, 0)) as lifetime_net_revenue_usd
    from purchases
    group by 1

),

joined as (

    select
        users.user_id,
        users.contact_key,
        users.has_email,
        users.has_phone,
        users.country_code,
        users.acquisition_channel,
        users.platform,
        users.device_model,
        users.signed_up_at,
        least(
            users.signed_up_date,
            coalesce(
                activity_summarized.first_active_date, users.signed_up_date
            )
        ) as signed_up_date,
        coalesce(
            activity_summarized.first_active_date < users.signed_up_date,
            false
        ) as is_active_before_signup,
        activity_summarized.first_active_date,
        activity_summarized.last_active_date,
        users.last_seen_at,
        users.install_state,
        users.installed_at,
        users.uninstalled_at,
        users.reinstalled_at,
        cast(
            coalesce(activity_summarized.sessions_count, 0)
            + coalesce(off_spine_sessions_summarized.sessions_count, 0)
            as integer
        ) as sessions_count,
        cast(coalesce(activity_summarized.active_days_count, 0) as integer)
            as active_days_count,
        cast(
            coalesce(activity_summarized.active_seconds, 0)
            + coalesce(off_spine_sessions_summarized.active_seconds, 0)
            as bigint
        ) as active_seconds,
        cast(
            coalesce(enrollments_summarized.courses_started_count, 0)
            as integer
        ) as courses_started_count,
        cast(
            coalesce(enrollments_summarized.courses_completed_count, 0)
            as integer
        ) as courses_completed_count,
        cast(
            coalesce(quizzes_summarized.quizzes_attempted_count, 0)
            as integer
        ) as quizzes_attempted_count,
        cast(
            coalesce(quizzes_summarized.quizzes_passed_count, 0)
            as integer
        ) as quizzes_passed_count,
        cast(
            coalesce(purchases_summarized.paid_orders_count, 0)
            as integer
        ) as paid_orders_count,
        coalesce(purchases_summarized.paid_orders_count, 0) > 0
            as is_paying_user,
        purchases_summarized.first_purchase_at,
        cast(
            coalesce(purchases_summarized.lifetime_gross_revenue_usd, 0)
            as decimal(18, 2)
        ) as lifetime_gross_revenue_usd,
        cast(
            coalesce(purchases_summarized.lifetime_refunds_usd, 0)
            as decimal(18, 2)
        ) as lifetime_refunds_usd,
        cast(
            coalesce(purchases_summarized.lifetime_net_revenue_usd, 0)
            as decimal(18, 2)
        ) as lifetime_net_revenue_usd

    from users
    left join activity_summarized
        on users.user_id = activity_summarized.user_id
    left join off_spine_sessions_summarized
        on users.user_id = off_spine_sessions_summarized.user_id
    left join enrollments_summarized
        on users.user_id = enrollments_summarized.user_id
    left join quizzes_summarized
        on users.user_id = quizzes_summarized.user_id
    left join purchases_summarized
        on users.user_id = purchases_summarized.user_id

),

final as (

    select
        joined.*,
        cast(
            {{ dbt.date_trunc('week', 'joined.signed_up_date') }} as date
        ) as signup_week,
        cast(
            {{ dbt.date_trunc('month', 'joined.signed_up_date') }} as date
        ) as signup_month
    from joined

)

select * from final
