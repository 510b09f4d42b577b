{#- Feature adoption over the whole data range, and day-30 retention of
    users by whether they used the feature in their first week.
    - adoption: share of active users (any active day in the range) who used
      the feature in at least one session;
    - first week: the sign-up day and the 6 days after it;
    - retained: active on or after day 30 after sign-up (PostHog's "on or
      after" retention), measured only on users whose day 30 lies within the
      data range (mature users). -#}

with

session_features as (

    select * from {{ ref('stg_app__session_features') }}

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

totals as (

    select
        active_users_counted.active_users_count,
        sessions_counted.sessions_count
    from active_users_counted
    cross join sessions_counted

),

feature_users as (

    {#- Distinct users per feature as a grouped aggregate first: DuckDB spills
        a group by to disk under its memory limit, but not the hash table of a
        count(distinct), which ran out of memory at 100M raw rows. -#}
    select
        feature_name,
        user_id,
        count(*) as sessions_count
    from session_features
    group by 1, 2

),

feature_usage as (

    select
        feature_name,
        count(*) as feature_users_count,
        {#- The grain of session_features is session x feature, so the
            summed rows are sessions. -#}
        sum(sessions_count) as sessions_with_feature_count
    from feature_users
    group by 1

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

mature_users_retained as (

    select
        mature_users.user_id,
        mature_users.signed_up_date,
        count(user_daily_activity.user_id) > 0 as is_retained_d30
    from mature_users
    left join user_daily_activity
        on
            mature_users.user_id = user_daily_activity.user_id
            and user_daily_activity.activity_date
            >= {{ dbt.dateadd('day', 30, 'mature_users.signed_up_date') }}
    group by 1, 2

),

first_week_feature_users as (

    select distinct
        session_features.feature_name,
        session_features.user_id
    from session_features
    inner join mature_users
        on session_features.user_id = mature_users.user_id
    where
        session_features.opened_date >= mature_users.signed_up_date
        and session_features.opened_date
        <= {{ dbt.dateadd('day', 6, 'mature_users.signed_up_date') }}

),

feature_mature_users as (

    select
        feature_usage.feature_name,
        mature_users_retained.user_id,
        mature_users_retained.is_retained_d30,
        first_week_feature_users.user_id is not null as used_in_first_week
    from feature_usage
    cross join mature_users_retained
    left join first_week_feature_users
        on
            feature_usage.feature_name = first_week_feature_users.feature_name
            and mature_users_retained.user_id = first_week_feature_users.user_id

),

retention_by_first_week_use as (

    select
        feature_name,
        count(*) as mature_users_count,
        count(case when used_in_first_week then 1 end) as users_with_count,
        count(case when not used_in_first_week then 1 end)
            as users_without_count,
        count(
            case when used_in_first_week and is_retained_d30 then 1 end
        ) as retained_with_count,
        count(
            case when not used_in_first_week and is_retained_d30 then 1 end
        ) as retained_without_count
    from feature_mature_users
    group by 1

),

final as (

    select
        feature_usage.feature_name,
        cast(totals.active_users_count as integer) as active_users_count,
        cast(feature_usage.feature_users_count as integer)
            as feature_users_count,
        cast(feature_usage.feature_users_count as double)
        / nullif(totals.active_users_count, 0) as adoption_rate,
        cast(feature_usage.sessions_with_feature_count as integer)
            as sessions_with_feature_count,
        cast(feature_usage.sessions_with_feature_count as double)
        / nullif(totals.sessions_count, 0) as session_share_rate,
        cast(
            coalesce(retention_by_first_week_use.mature_users_count, 0)
            as integer
        ) as mature_users_count,
        cast(
            coalesce(retention_by_first_week_use.users_with_count, 0)
            as integer
        ) as users_with_count,
        cast(
            coalesce(retention_by_first_week_use.users_without_count, 0)
            as integer
        ) as users_without_count,
        cast(
            coalesce(retention_by_first_week_use.retained_with_count, 0)
            as integer
        ) as retained_with_count,
        cast(
            coalesce(retention_by_first_week_use.retained_without_count, 0)
            as integer
        ) as retained_without_count,
        cast(retention_by_first_week_use.retained_with_count as double)
        / nullif(retention_by_first_week_use.users_with_count, 0)
            as d30_retention_with_rate,
        cast(retention_by_first_week_use.retained_without_count as double)
        / nullif(retention_by_first_week_use.users_without_count, 0)
            as d30_retention_without_rate,
        cast(retention_by_first_week_use.retained_with_count as double)
        / nullif(retention_by_first_week_use.users_with_count, 0)
        - cast(retention_by_first_week_use.retained_without_count as double)
        / nullif(retention_by_first_week_use.users_without_count, 0)
            as d30_retention_lift
    from feature_usage
    cross join totals
    left join retention_by_first_week_use
        on feature_usage.feature_name = retention_by_first_week_use.feature_name

)

select * from final
