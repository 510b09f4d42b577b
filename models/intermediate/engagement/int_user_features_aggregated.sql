{#- The app features each user's sessions used, for fct_feature_adoption:
    per feature, the user's sessions that used it and whether one of them
    opened in the user's first week (the recorded sign-up day and the 6 days
    after it; never for a user without a user record). One row per user with
    a staged session; the features are a list sorted by name, null when no
    session used one. fct_feature_adoption reads these rows (one per user)
    instead of unnesting every session's features on every run.

    Incremental, delete+insert by user: a run rebuilds whole every user with
    a session received since the watermark (or, on `behavior reprocess`,
    opened in its days), and every user whose stored sign-up is not the
    user record's (a record that arrived after the user's sessions). A
    rebuilt user always has a row (the key is the user, not the user and
    feature), so a feature the user no longer has is never left behind. -#}
{{ config(
    materialized='incremental',
    unique_key='user_id',
) }}

with

all_user_app_sessions as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

users as (

    select * from {{ ref('stg_app__users') }}

),

reprocessed_users as (  -- noqa: ST03

    select user_id
    from all_user_app_sessions
    where {{ is_reprocessed('received_at', 'opened_date') }}
    {% if is_incremental() %}
        union
        select this_users.user_id
        from {{ this }} as this_users
        left join users
            on this_users.user_id = users.user_id
        where this_users.signed_up_date is distinct from users.signed_up_date
    {% endif %}

),

user_app_sessions as (

    {{ select_reprocessed(
        'all_user_app_sessions',
        'reprocessed_users',
        {'user_id': 'user_id'}
    ) }}

),

sessions_flagged as (

    select
        user_app_sessions.user_id,
        {#- A session dated outside the date spine is no active day, so its
            features count for no one (else a user whose only sessions are
            dated 2099 adopts a feature without being an active user). -#}
        case
            when {{ is_within_date_spine('user_app_sessions.opened_date') }}
                then user_app_sessions.features_used
        end as features_used,
        user_app_sessions.received_at,
        users.signed_up_date,
        coalesce(
            user_app_sessions.opened_date >= users.signed_up_date
            and user_app_sessions.opened_date
            <= {{ dbt.dateadd('day', 6, 'users.signed_up_date') }},
            false
        ) as is_in_first_week
    from user_app_sessions
    left join users
        on user_app_sessions.user_id = users.user_id

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

user_features_grouped as (

    {#- A grouped aggregate: DuckDB spills a group by to disk under its
        memory limit, but not the hash table of a count(distinct), which ran
        out of memory at 100M raw rows. -#}
    select
        user_id,
        feature_name,
        count(*) as sessions_count,
        {{ dbt.bool_or('is_in_first_week') }} as is_used_in_first_week
    from session_features
    group by 1, 2

),

user_features_listed as (

    select
        user_id,
        {{ list_agg_sorted(struct_pack([
            ('feature_name', 'feature_name'),
            ('sessions_count', 'cast(sessions_count as integer)'),
            ('is_used_in_first_week', 'is_used_in_first_week'),
        ])) }} as features
    from user_features_grouped
    group by 1

),

users_summarized as (

    select
        user_id,
        max(signed_up_date) as signed_up_date,
        max(received_at) as last_received_at
    from sessions_flagged
    group by 1

),

final as (

    select
        users_summarized.user_id,
        users_summarized.signed_up_date,
        user_features_listed.features,
        users_summarized.last_received_at
    from users_summarized
    left join user_features_listed
        on users_summarized.user_id = user_features_listed.user_id

)

select * from final
