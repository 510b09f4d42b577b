{#- Lifecycle state of each user per week and per month (period_granularity),
    after PostHog's lifecycle insight. Only periods where the user has a
    state get a row:
    - new: active in the period of their sign-up;
    - returning: active in this period and in the previous one;
    - resurrecting: active in this period, not in the previous one, and not
      in their sign-up period (as in PostHog, this includes a first activity
      after the sign-up period);
    - dormant: not active in this period but active in the previous one (one
      row after each run of active periods, not repeated);
    - uninstalled: a would-be dormant row (the first inactive period after
      an active one) whose latest install event as of the period's end is an
      uninstall. One row per lapse: later inactive periods get no row, even
      when the user uninstalls in them.
    Periods run from the sign-up period to the period of the last util_days
    date (the last one may be partial). Weeks start on Monday. -#}

{#- Incremental by user on DuckDB, delete+insert of all the rows of every
    user whose rows can have changed since the last build:
    - a user-day of fct_user_daily_activity rebuilt since the watermark (or
      inside the days `behavior reprocess` names);
    - a sign-up period other than the one stored, or a user with no row yet
      (an orphan's activity whose user record came later);
    - an install-event count other than the one stored (install events are
      only ever added: stg_app__user_install_events is a set of them);
    - when the data's last week or month has moved on since the stored rows,
      activity in or after the stored last period: its users can now get a
      dormant row for a period that did not exist yet.
    Any other user's rows depend on nothing that changed. A rebuilt user
    keeps at least one row, as a sign-up never changes (`behavior load`
    quarantines a user version that changes it), so no stored row is left
    behind. On Spark a table (an incremental run rewrites the whole table
    there anyway). -#}
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    unique_key='user_id',
) }}

{%- set granularities = ['week', 'month'] %}

{%- set candidate_period_end -%}
    case candidate_rows.period_granularity
        when 'week'
            then {{ dbt.dateadd('day', 7, 'candidate_rows.period_start_date') }}
        else {{ dbt.dateadd('month', 1, 'candidate_rows.period_start_date') }}
    end
{%- endset %}

with

all_user_daily_activity as {{ not_materialized() }} (

    select * from {{ ref('fct_user_daily_activity') }}

),

all_users as {{ not_materialized() }} (

    select * from {{ ref('stg_app__users') }}

),

all_user_install_events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_install_events') }}

),

days as (

    select * from {{ ref('util_days') }}

),

last_periods as (

    {%- for granularity in granularities %}
        select
            '{{ granularity }}' as period_granularity,
            cast(
                {{ dbt.date_trunc(granularity, 'max(date_day)') }} as date
            ) as last_period_start_date
        from days
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

user_signup_periods as (

    {%- for granularity in granularities %}
        select
            user_id,
            '{{ granularity }}' as period_granularity,
            cast(
                {{ dbt.date_trunc(granularity, 'signed_up_date') }} as date
            ) as signup_period_start_date
        from all_users
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

install_events_counted as (

    {#- Install events per user, all users: an incremental run compares them
        with the stored counts, and the rebuilt rows store them. -#}
    select
        user_id,
        count(*) as install_events_count
    from all_user_install_events
    group by 1

),

{% if is_incremental() %}
    stored_users as (

        select
            user_id,
            period_granularity,
            signup_period_start_date,
            install_events_count
        from {{ this }}
        group by 1, 2, 3, 4

    ),

    stored_last_periods as (

        select
            period_granularity,
            max(period_start_date) as stored_last_period_start_date
        from {{ this }}
        group by 1

    ),

    moved_periods as (

        {#- The granularities whose last period has moved on since the
            stored rows, with the stored last period. -#}
        select
            last_periods.period_granularity,
            stored_last_periods.stored_last_period_start_date
        from last_periods
        left join stored_last_periods
            on
                last_periods.period_granularity
                = stored_last_periods.period_granularity
        where
            stored_last_periods.stored_last_period_start_date is null
            or last_periods.last_period_start_date
            > stored_last_periods.stored_last_period_start_date

    ),

    reprocessed_users as (

        select user_id
        from all_user_daily_activity
        where {{ is_reprocessed('last_received_at', 'activity_date') }}

        union

        select all_user_daily_activity.user_id
        from all_user_daily_activity
        inner join moved_periods
            on
                moved_periods.stored_last_period_start_date is null
                or all_user_daily_activity.activity_date
                >= moved_periods.stored_last_period_start_date

        union

        select user_signup_periods.user_id
        from user_signup_periods
        left join stored_users
            on
                user_signup_periods.user_id = stored_users.user_id
                and user_signup_periods.period_granularity
                = stored_users.period_granularity
                and user_signup_periods.signup_period_start_date
                = stored_users.signup_period_start_date
        where stored_users.user_id is null

        union

        select stored_users.user_id
        from stored_users
        left join install_events_counted
            on stored_users.user_id = install_events_counted.user_id
        where
            stored_users.install_events_count
            != coalesce(install_events_counted.install_events_count, 0)

    ),
{% endif %}

user_daily_activity as (

    select all_user_daily_activity.*
    from all_user_daily_activity
    {%- if is_incremental() %}
        where
            all_user_daily_activity.user_id in (
                select reprocessed_users.user_id from reprocessed_users
            )
    {%- endif %}

),

user_install_events as (

    select all_user_install_events.*
    from all_user_install_events
    {%- if is_incremental() %}
        where
            all_user_install_events.user_id in (
                select reprocessed_users.user_id from reprocessed_users
            )
    {%- endif %}

),

activity_periods as (

    {%- for granularity in granularities %}
        select
            user_id,
            '{{ granularity }}' as period_granularity,
            cast(
                {{ dbt.date_trunc(granularity, 'activity_date') }} as date
            ) as period_start_date,
            count(*) as active_days_count
        from user_daily_activity
        group by 1, 2, 3
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

activity_periods_sequenced as (

    select
        activity_periods.user_id,
        activity_periods.period_granularity,
        activity_periods.period_start_date,
        activity_periods.active_days_count,
        user_signup_periods.signup_period_start_date,
        lag(activity_periods.period_start_date) over (
            partition by
                activity_periods.user_id, activity_periods.period_granularity
            order by activity_periods.period_start_date
        ) as previous_active_period_start_date,
        lead(activity_periods.period_start_date) over (
            partition by
                activity_periods.user_id, activity_periods.period_granularity
            order by activity_periods.period_start_date
        ) as next_active_period_start_date,
        case activity_periods.period_granularity
            when 'week'
                then
                    {{ dbt.dateadd(
                        'day', -7, 'activity_periods.period_start_date'
                    ) }}
            else
                {{ dbt.dateadd(
                    'month', -1, 'activity_periods.period_start_date'
                ) }}
        end as previous_period_start_date,
        case activity_periods.period_granularity
            when 'week'
                then
                    {{ dbt.dateadd(
                        'day', 7, 'activity_periods.period_start_date'
                    ) }}
            else
                {{ dbt.dateadd(
                    'month', 1, 'activity_periods.period_start_date'
                ) }}
        end as next_period_start_date
    from activity_periods
    inner join user_signup_periods
        on
            activity_periods.user_id = user_signup_periods.user_id
            and activity_periods.period_granularity
            = user_signup_periods.period_granularity
    where
        activity_periods.period_start_date
        >= user_signup_periods.signup_period_start_date

),

active_rows as (

    select
        user_id,
        period_granularity,
        period_start_date,
        signup_period_start_date,
        true as is_active,
        active_days_count,
        case
            when period_start_date = signup_period_start_date then 'new'
            when
                previous_active_period_start_date
                = cast(previous_period_start_date as date)
                then 'returning'
            else 'resurrecting'
        end as activity_state
    from activity_periods_sequenced

),

dormant_rows as (

    select
        activity_periods_sequenced.user_id,
        activity_periods_sequenced.period_granularity,
        cast(activity_periods_sequenced.next_period_start_date as date)
            as period_start_date,
        activity_periods_sequenced.signup_period_start_date,
        false as is_active,
        0 as active_days_count,
        'dormant' as activity_state
    from activity_periods_sequenced
    inner join last_periods
        on
            activity_periods_sequenced.period_granularity
            = last_periods.period_granularity
    where
        cast(activity_periods_sequenced.next_period_start_date as date)
        <= last_periods.last_period_start_date
        and (
            activity_periods_sequenced.next_active_period_start_date is null
            or activity_periods_sequenced.next_active_period_start_date
            > cast(activity_periods_sequenced.next_period_start_date as date)
        )

),

candidate_rows as (

    select * from active_rows
    union all
    select * from dormant_rows

),

install_events_sequenced as (

    {#- Each install event holds from its day until the day of the user's next
        one. Ties on the instant go to the event type first in the alphabet,
        which sorts last here. -#}
    select
        user_id,
        install_event_type,
        occurred_date,
        lead(occurred_date) over (
            partition by user_id
            order by occurred_at asc, install_event_type desc
        ) as next_occurred_date
    from user_install_events

),

latest_install_events as (

    {#- The latest install event up to the period's end decides whether an
        inactive user is still installed: the one event of the user that is
        before the period's end and whose next event is not. -#}
    select
        candidate_rows.user_id,
        candidate_rows.period_granularity,
        candidate_rows.period_start_date,
        install_events_sequenced.install_event_type
    from candidate_rows
    inner join install_events_sequenced
        on
            candidate_rows.user_id = install_events_sequenced.user_id
            and install_events_sequenced.occurred_date
            < {{ candidate_period_end }}
            and (
                install_events_sequenced.next_occurred_date is null
                or install_events_sequenced.next_occurred_date
                >= {{ candidate_period_end }}
            )

),

classified as (

    select
        candidate_rows.user_id,
        candidate_rows.period_granularity,
        candidate_rows.period_start_date,
        candidate_rows.signup_period_start_date,
        candidate_rows.is_active,
        candidate_rows.active_days_count,
        candidate_rows.activity_state,
        latest_install_events.install_event_type
            as latest_install_event_type,
        case
            when candidate_rows.is_active then candidate_rows.activity_state
            when latest_install_events.install_event_type = 'uninstall'
                then 'uninstalled'
            else 'dormant'
        end as lifecycle_state
    from candidate_rows
    left join latest_install_events
        on
            candidate_rows.user_id = latest_install_events.user_id
            and candidate_rows.period_granularity
            = latest_install_events.period_granularity
            and candidate_rows.period_start_date
            = latest_install_events.period_start_date

),

user_inputs as (

    {#- Per user, what the next incremental run compares its inputs with:
        the newest received_at of the user's active days (the watermark) and
        the number of install events. -#}
    select
        user_daily_activity.user_id,
        max(user_daily_activity.last_received_at) as last_received_at,
        max(coalesce(install_events_counted.install_events_count, 0))
            as install_events_count
    from user_daily_activity
    left join install_events_counted
        on user_daily_activity.user_id = install_events_counted.user_id
    group by 1

),

final as (

    select
        {{ surrogate_key([
            'classified.user_id',
            'classified.period_granularity',
            'classified.period_start_date'
        ]) }} as user_period_id,
        classified.user_id,
        classified.period_granularity,
        classified.period_start_date,
        classified.signup_period_start_date,
        classified.lifecycle_state,
        classified.is_active,
        cast(classified.active_days_count as integer) as active_days_count,
        classified.latest_install_event_type,
        cast(user_inputs.install_events_count as integer)
            as install_events_count,
        user_inputs.last_received_at
    from classified
    inner join user_inputs
        on classified.user_id = user_inputs.user_id

)

select * from final
