{#- Incremental, delete+insert by user-day, following the user-days that
    int_user_platform_days_aggregated rebuilt since this model's watermark. -#}
{{ config(
    materialized='incremental',
    unique_key=['user_id', 'activity_date'],
) }}

{#- Its checks test each day against the date spine (util_days), which this
    model does not read: declared upstream so that the checks read only this
    model's ancestors, and a failure of them stops every node downstream
    (behavior structure). -#}
-- depends_on: {{ ref('util_days') }}

with

all_user_platform_days as {{ not_materialized() }} (

    select * from {{ ref('int_user_platform_days_aggregated') }}

),

reprocessed_user_days as (  -- noqa: ST03

    select distinct
        user_id,
        activity_date
    from all_user_platform_days
    where {{ is_reprocessed('last_received_at', 'activity_date') }}

),

user_platform_days as (

    {{ select_reprocessed(
        'all_user_platform_days',
        'reprocessed_user_days',
        {
            'user_id': 'user_id',
            'activity_date': 'activity_date'
        }
    ) }}

),

users as (

    select * from {{ ref('stg_app__users') }}

),

platforms_ranked as (

    {#- The day's platform is the one with the most activity events (sessions,
        course interactions, quiz attempts, commerce events); ties go to the
        one with more foreground seconds, then alphabetically. -#}
    select
        user_id,
        activity_date,
        platform,
        row_number() over (
            partition by user_id, activity_date
            order by
                activity_events_count desc, active_seconds desc, platform asc
        ) as platform_rank
    from user_platform_days

),

days_aggregated as (

    select
        user_id,
        activity_date,
        count(*) as platforms_count,
        sum(activity_events_count) as activity_events_count,
        sum(sessions_count) as sessions_count,
        sum(active_seconds) as active_seconds,
        sum(course_interactions_count) as course_interactions_count,
        sum(learning_events_count) as learning_events_count,
        sum(quiz_attempts_count) as quiz_attempts_count,
        sum(commerce_events_count) as commerce_events_count,
        sum(purchases_count) as purchases_count,
        max(last_received_at) as last_received_at
    from user_platform_days
    group by 1, 2

),

final as (

    select
        {{ surrogate_key([
            'days_aggregated.user_id', 'days_aggregated.activity_date'
        ]) }} as user_day_id,
        days_aggregated.user_id,
        days_aggregated.activity_date,
        platforms_ranked.platform,
        cast(days_aggregated.platforms_count as integer) as platforms_count,
        cast(days_aggregated.activity_events_count as integer)
            as activity_events_count,
        cast(days_aggregated.sessions_count as integer) as sessions_count,
        cast(days_aggregated.active_seconds as bigint) as active_seconds,
        cast(days_aggregated.course_interactions_count as integer)
            as course_interactions_count,
        cast(days_aggregated.learning_events_count as integer)
            as learning_events_count,
        cast(days_aggregated.quiz_attempts_count as integer)
            as quiz_attempts_count,
        cast(days_aggregated.commerce_events_count as integer)
            as commerce_events_count,
        cast(days_aggregated.purchases_count as integer) as purchases_count,
        -- false for a user without a user record (no sign-up day)
        coalesce(
            days_aggregated.activity_date = users.signed_up_date, false
        ) as is_new_user,
        cast(
            {{ dbt.datediff(
                'users.signed_up_date', 'days_aggregated.activity_date', 'day'
            ) }} as integer
        ) as days_since_signup,
        days_aggregated.last_received_at

    from days_aggregated
    inner join platforms_ranked
        on
            days_aggregated.user_id = platforms_ranked.user_id
            and days_aggregated.activity_date = platforms_ranked.activity_date
            and platforms_ranked.platform_rank = 1
    left join users
        on days_aggregated.user_id = users.user_id

)

select * from final
