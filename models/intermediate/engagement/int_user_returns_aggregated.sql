{#- Each user's returns after the sign-up day, for fct_retention_cohorts:
    whether the user was active on day 1, 7, 14 and 30 after the sign-up day
    and in week 0..12 after the sign-up week (week 0 is the rest of the
    sign-up week; weeks start Monday), and the last day and week offset with
    an active day. A return is an active day (fct_user_daily_activity) after
    the recorded sign-up day. One row per user record (stg_app__users), with
    the flags false and the offsets null when the user never returned;
    fct_retention_cohorts counts these rows per cohort instead of joining
    every user to every active day on every run.

    Incremental, delete+insert by user: a run rebuilds whole every user with
    an active day received since the watermark (or, on `behavior reprocess`,
    in its days), every user with no stored row yet, and every user whose
    stored sign-up is not the user record's. A user's returns depend only on
    the user's own active days and sign-up day, so the other rows stay equal
    to a full build's. -#}
{%- set day_offsets = retention_offsets('day') %}
{%- set week_offsets = retention_offsets('week') %}
{{ config(
    materialized='incremental',
    unique_key='user_id',
) }}

with

all_user_daily_activity as {{ not_materialized() }} (

    select * from {{ ref('fct_user_daily_activity') }}

),

all_users as {{ not_materialized() }} (

    select * from {{ ref('stg_app__users') }}

),

reprocessed_users as (  -- noqa: ST03

    {# A null watermark (no stored user has an active day yet) reprocesses
        every active day. -#}
    select user_id
    from all_user_daily_activity
    where
        coalesce(
            {{ is_reprocessed('last_received_at', 'activity_date') }}, true
        )
    {% if is_incremental() %}
        union
        select all_users.user_id
        from all_users
        left join {{ this }} as this_users
            on all_users.user_id = this_users.user_id
        where
            this_users.user_id is null
            or this_users.signed_up_date
            is distinct from all_users.signed_up_date
    {% endif %}

),

users as (

    {{ select_reprocessed(
        'all_users',
        'reprocessed_users',
        {'user_id': 'user_id'}
    ) }}

),

user_daily_activity as (

    {{ select_reprocessed(
        'all_user_daily_activity',
        'reprocessed_users',
        {'user_id': 'user_id'}
    ) }}

),

user_cohorts as (

    select
        user_id,
        signed_up_date,
        cast(
            {{ dbt.date_trunc('week', 'signed_up_date') }} as date
        ) as signup_week
    from users

),

user_days as (

    {#- One row per active day of the user, or one with nulls when the user
        has none; the offsets are null on a day that is not a return (the
        sign-up day or before it), but the day is still received. -#}
    select
        user_cohorts.user_id,
        user_cohorts.signed_up_date,
        user_cohorts.signup_week,
        case
            when user_daily_activity.activity_date > user_cohorts.signed_up_date
                then {{ dbt.datediff(
                    'user_cohorts.signed_up_date',
                    'user_daily_activity.activity_date',
                    'day'
                ) }}
        end as day_offset,
        case
            when user_daily_activity.activity_date > user_cohorts.signed_up_date
                then cast(floor({{ dbt.datediff(
                    'user_cohorts.signup_week',
                    'user_daily_activity.activity_date',
                    'day'
                ) }} / 7.0) as integer)
        end as week_offset,
        user_daily_activity.last_received_at
    from user_cohorts
    left join user_daily_activity
        on user_cohorts.user_id = user_daily_activity.user_id

),

final as (

    select
        user_id,
        signed_up_date,
        signup_week,
        {%- for offset in day_offsets %}
            coalesce({{ dbt.bool_or('day_offset = ' ~ offset) }}, false)
                as has_returned_on_day_{{ offset }},
        {%- endfor %}
        {%- for offset in week_offsets %}
            coalesce({{ dbt.bool_or('week_offset = ' ~ offset) }}, false)
                as has_returned_in_week_{{ offset }},
        {%- endfor %}
        cast(max(day_offset) as integer) as last_day_offset,
        cast(max(week_offset) as integer) as last_week_offset,
        max(last_received_at) as last_received_at
    from user_days
    group by 1, 2, 3

)

select * from final
