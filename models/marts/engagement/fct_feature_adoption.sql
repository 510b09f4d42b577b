{#- Feature adoption over the whole data range, and day-30 retention of
    users by whether they used the feature in their first week.
    - adoption: share of active users (any active day in the range) who used
      the feature in at least one session;
    - first week: the sign-up day and the 6 days after it;
    - retained: active on or after day 30 after sign-up (PostHog's "on or
      after" retention), measured only on users whose day 30 lies within the
      data range (mature users).
    Each user's features (sessions that used each, and whether in the first
    week) come from int_user_features_aggregated, which an incremental run
    rebuilds only for the users with new sessions; here they are unnested
    (one row per user and feature) and joined to the users' retention. The
    counts without the feature are the mature users' totals minus those with
    it (no feature x user cross join). A user is retained when the last
    active day is on or after day 30. -#}

with

user_features as (

    select * from {{ ref('int_user_features_aggregated') }}

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
    where {{ is_within_date_spine('opened_date') }}

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

user_features_unnested as (

    select
        user_id,
        {{ unnest_list('features', 'feature') }}
    from user_features

),

user_features_flattened as (

    select
        user_id,
        feature.feature_name,
        feature.sessions_count,
        feature.is_used_in_first_week
    from user_features_unnested

),

feature_users as (

    {#- A user without a user record, or not yet mature, has null
        is_retained_d30 and is in neither first-week group. -#}
    select
        user_features_flattened.feature_name,
        user_features_flattened.user_id,
        user_features_flattened.sessions_count,
        user_features_flattened.is_used_in_first_week
        and mature_users_retained.user_id is not null
            as is_used_in_first_week,
        mature_users_retained.is_retained_d30
    from user_features_flattened
    left join mature_users_retained
        on user_features_flattened.user_id = mature_users_retained.user_id

),

feature_usage as (

    select
        feature_name,
        count(*) as feature_users_count,
        {#- sessions_count is the user's sessions that used the feature,
            so the sum is sessions. -#}
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
