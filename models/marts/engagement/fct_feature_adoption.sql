{#- Feature adoption over the whole data range, and day-30 retention of
    users by whether they used the feature in their first week.
    - adoption: share of active users (any active day in the range) who used
      the feature in at least one session;
    - first week: the sign-up day and the 6 days after it;
    - retained: active on or after day 30 after sign-up (PostHog's "on or
      after" retention), measured only on users whose day 30 lies within the
      data range (mature users).
    One pass over the sessions: each session says whether it lies in its
    user's first week, then its features list is unnested and grouped by
    feature x user (whether the user used the feature in the first week),
    and only those groups are joined to the users' retention; the counts
    without the feature are the mature users' totals minus those with it (no
    feature x user cross join). A user is retained when the last active day
    is on or after day 30. -#}

with

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

app_sessions as (

    select * from {{ ref('fct_app_sessions') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

users as (

    select * from {{ ref('stg_app__users') }}

),

days as (

    select * from {{ ref('util_days') }}

),

data_range as (

    select max(date_day) as last_date
    from days

),

active_users_counted as (

    select count(distinct user_id) as active_users_count
    from user_daily_activity

),

sessions_counted as (

    select count(*) as sessions_count
    from app_sessions

),

mature_users as (

    select
        users.user_id,
        users.signed_up_date
    from users
    cross join data_range
    where
        {{ dbt.dateadd('day', 30, 'users.signed_up_date') }}
        <= data_range.last_date

),

users_last_active as (

    select
        user_id,
        max(activity_date) as last_active_date
    from user_daily_activity
    group by 1

),

mature_users_retained as (

    select
        mature_users.user_id,
        mature_users.signed_up_date,
        coalesce(
            users_last_active.last_active_date
            >= {{ dbt.dateadd('day', 30, 'mature_users.signed_up_date') }},
            false
        ) as is_retained_d30
    from mature_users
    left join users_last_active
        on mature_users.user_id = users_last_active.user_id

),

mature_users_counted as (

    select
        count(*) as mature_users_count,
        count(case when is_retained_d30 then 1 end) as retained_users_count
    from mature_users_retained

),

totals as (

    select
        active_users_counted.active_users_count,
        sessions_counted.sessions_count,
        mature_users_counted.mature_users_count,
        mature_users_counted.retained_users_count
    from active_users_counted
    cross join sessions_counted
    cross join mature_users_counted

),

sessions_flagged as (

    select
        user_app_sessions.user_id,
        user_app_sessions.features_used,
        coalesce(
            user_app_sessions.opened_date
            >= mature_users_retained.signed_up_date
            and user_app_sessions.opened_date <= {{ dbt.dateadd(
                'day', 6, 'mature_users_retained.signed_up_date'
            ) }},
            false
        ) as is_in_first_week
    from user_app_sessions
    left join mature_users_retained
        on user_app_sessions.user_id = mature_users_retained.user_id

),

session_features as (

    {#- features_used is normalized and distinct per session (as in
        stg_app__session_features): one row per session x feature. -#}
    select
        user_id,
        is_in_first_week,
        {{ unnest_list('features_used', 'feature_name') }}
    from sessions_flagged

),

feature_users_grouped as (

    {#- Users per feature as a grouped aggregate: DuckDB spills a group by to
        disk under its memory limit, but not the hash table of a
        count(distinct), which ran out of memory at 100M raw rows. -#}
    select
        feature_name,
        user_id,
        count(*) as sessions_count,
        {{ dbt.bool_or('is_in_first_week') }} as is_used_in_first_week
    from session_features
    group by 1, 2

),

feature_users as (

    {#- A user without a user record, or not yet mature, has null
        is_retained_d30 and is in neither first-week group. -#}
    select
        feature_users_grouped.feature_name,
        feature_users_grouped.user_id,
        feature_users_grouped.sessions_count,
        feature_users_grouped.is_used_in_first_week,
        mature_users_retained.is_retained_d30
    from feature_users_grouped
    left join mature_users_retained
        on feature_users_grouped.user_id = mature_users_retained.user_id

),

feature_usage as (

    select
        feature_name,
        count(*) as feature_users_count,
        {#- The grain of session_features is session x feature, so the
            summed rows are sessions. -#}
        sum(sessions_count) as sessions_with_feature_count,
        count(case when is_used_in_first_week then 1 end) as users_with_count,
        count(
            case when is_used_in_first_week and is_retained_d30 then 1 end
        ) as retained_with_count
    from feature_users
    group by 1

),

feature_usage_completed as (

    select
        feature_usage.feature_name,
        totals.active_users_count,
        totals.sessions_count,
        feature_usage.feature_users_count,
        feature_usage.sessions_with_feature_count,
        totals.mature_users_count,
        feature_usage.users_with_count,
        totals.mature_users_count - feature_usage.users_with_count
            as users_without_count,
        feature_usage.retained_with_count,
        totals.retained_users_count - feature_usage.retained_with_count
            as retained_without_count
    from feature_usage
    cross join totals

),

final as (

    select
        feature_name,
        cast(active_users_count as integer) as active_users_count,
        cast(feature_users_count as integer) as feature_users_count,
        cast(feature_users_count as double)
        / nullif(active_users_count, 0) as adoption_rate,
        cast(sessions_with_feature_count as integer)
            as sessions_with_feature_count,
        cast(sessions_with_feature_count as double)
        / nullif(sessions_count, 0) as session_share_rate,
        cast(mature_users_count as integer) as mature_users_count,
        cast(users_with_count as integer) as users_with_count,
        cast(users_without_count as integer) as users_without_count,
        cast(retained_with_count as integer) as retained_with_count,
        cast(retained_without_count as integer) as retained_without_count,
        cast(retained_with_count as double)
        / nullif(users_with_count, 0) as d30_retention_with_rate,
        cast(retained_without_count as double)
        / nullif(users_without_count, 0) as d30_retention_without_rate,
        cast(retained_with_count as double)
        / nullif(users_with_count, 0)
        - cast(retained_without_count as double)
        / nullif(users_without_count, 0) as d30_retention_lift
    from feature_usage_completed

)

select * from final
