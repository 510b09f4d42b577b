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

{#- Incremental on DuckDB, per user and granularity from the first period
    that can have changed: a row depends only on the user's activity in its
    period and the one before, the sign-up and the install events. That
    first period is:
    - the period of the earliest user-day of fct_user_daily_activity rebuilt
      since the watermark;
    - when the data's last week or month has moved on, the first new period,
      for the users active in the stored last one (a new dormant row);
    - the sign-up period (all rows) for a user whose sign-up period or
      install-event count (install events are only ever added) differs from
      the stored one, or who has no row yet (an orphan's activity whose user
      record came later); on `behavior reprocess`, for every rebuilt user.
    A partial rebuild reads the days from the period before its first one
    (returning against resurrecting) and keeps the rows from that one on.
    Strategy user_periods_from_first (its macro) deletes the stored rows of
    each rebuilt user and granularity from the first period computed (all
    when the sign-up or install-event count differs, or on reprocess), then
    inserts the new ones. New data never removes a row (an active period
    stays active, a dormant one stays dormant or turns active; the loader
    quarantines a user version that changes the sign-up), so none is left
    behind. On Spark a table (an incremental run rewrites it whole there). -#}
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    incremental_strategy='user_periods_from_first',
    unique_key=['user_id', 'period_granularity'],
) }}

{%- set granularities = ['week', 'month'] %}

{%- set candidate_period_end = period_start_shifted(
    'candidate_rows.period_granularity', 'candidate_rows.period_start_date', 1
) %}

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
            stored_last_periods.stored_last_period_start_date,
            {{ period_start_shifted(
                'last_periods.period_granularity',
                'stored_last_periods.stored_last_period_start_date',
                1
            ) }} as first_new_period_start_date
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

    {#- `behavior reprocess` rebuilds users whole (days can vanish). -#}
    {%- set reprocessing = var('behavior__reprocess_from', none) %}

    rebuild_triggers as (

        {#- Per reason to rebuild a user: the granularity (null: both), the
            day whose period is the first rebuilt (null: all). -#}
        select
            user_id,
            cast(null as {{ dbt.type_string() }}) as period_granularity,
            {% if reprocessing -%}
                cast(null as date)
            {%- else -%}
                min(activity_date)
            {%- endif %} as rebuild_from_date
        from all_user_daily_activity
        where {{ is_reprocessed('last_received_at', 'activity_date') }}
        group by 1

        union all

        select
            all_user_daily_activity.user_id,
            moved_periods.period_granularity,
            {% if reprocessing -%}
                cast(null as date)
            {%- else -%}
                cast(min(moved_periods.first_new_period_start_date) as date)
            {%- endif %} as rebuild_from_date
        from all_user_daily_activity
        inner join moved_periods
            on
                moved_periods.stored_last_period_start_date is null
                or all_user_daily_activity.activity_date
                >= moved_periods.stored_last_period_start_date
        group by 1, 2

        union all

        select
            user_signup_periods.user_id,
            cast(null as {{ dbt.type_string() }}) as period_granularity,
            cast(null as date) as rebuild_from_date
        from user_signup_periods
        left join stored_users
            on
                user_signup_periods.user_id = stored_users.user_id
                and user_signup_periods.period_granularity
                = stored_users.period_granularity
                and user_signup_periods.signup_period_start_date
                = stored_users.signup_period_start_date
        where stored_users.user_id is null

        union all

        select
            stored_users.user_id,
            cast(null as {{ dbt.type_string() }}) as period_granularity,
            cast(null as date) as rebuild_from_date
        from stored_users
        left join install_events_counted
            on stored_users.user_id = install_events_counted.user_id
        where
            stored_users.install_events_count
            != coalesce(install_events_counted.install_events_count, 0)

    ),

    user_rebuilds as (

        {#- Per rebuilt user and granularity, the first period to rebuild
            (null: all of them). -#}
        select
            user_signup_periods.user_id,
            user_signup_periods.period_granularity,
            case
                when
                    count(rebuild_triggers.rebuild_from_date) < count(*)
                    then null
                when user_signup_periods.period_granularity = 'week'
                    then
                        cast({{ dbt.date_trunc(
                            'week', 'min(rebuild_triggers.rebuild_from_date)'
                        ) }} as date)
                else
                    cast({{ dbt.date_trunc(
                        'month', 'min(rebuild_triggers.rebuild_from_date)'
                    ) }} as date)
            end as rebuild_from_period_start_date
        from rebuild_triggers
        inner join user_signup_periods
            on
                rebuild_triggers.user_id = user_signup_periods.user_id
                and (
                    rebuild_triggers.period_granularity is null
                    or rebuild_triggers.period_granularity
                    = user_signup_periods.period_granularity
                )
        group by 1, 2

    ),
{% endif %}

user_install_events as (

    select all_user_install_events.*
    from all_user_install_events
    {%- if is_incremental() %}
        where
            all_user_install_events.user_id in (
                select user_rebuilds.user_id from user_rebuilds
            )
    {%- endif %}

),

activity_periods as (

    {%- for granularity in granularities %}
        select
            all_user_daily_activity.user_id,
            '{{ granularity }}' as period_granularity,
            cast(
                {{ dbt.date_trunc(
                    granularity, 'all_user_daily_activity.activity_date'
                ) }} as date
            ) as period_start_date,
            count(*) as active_days_count,
            max(all_user_daily_activity.last_received_at) as last_received_at
        from all_user_daily_activity
        {% if is_incremental() -%}
            {#- A partial rebuild reads from the period before its first
                one. #}
            inner join user_rebuilds
                on
                    all_user_daily_activity.user_id = user_rebuilds.user_id
                    and user_rebuilds.period_granularity = '{{ granularity }}'
            where
                user_rebuilds.rebuild_from_period_start_date is null
                or all_user_daily_activity.activity_date
                >= {{ period_start_shifted(
                    "'" ~ granularity ~ "'",
                    'user_rebuilds.rebuild_from_period_start_date',
                    -1
                ) }}
        {% endif %}
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
        activity_periods.last_received_at,
        user_signup_periods.signup_period_start_date,
        lag(activity_periods.last_received_at) over (
            partition by
                activity_periods.user_id, activity_periods.period_granularity
            order by activity_periods.period_start_date
        ) as previous_active_period_received_at,
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
        {{ period_start_shifted(
            'activity_periods.period_granularity',
            'activity_periods.period_start_date',
            -1
        ) }} as previous_period_start_date,
        {{ period_start_shifted(
            'activity_periods.period_granularity',
            'activity_periods.period_start_date',
            1
        ) }} as next_period_start_date
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
        end as activity_state,
        case
            when
                previous_active_period_start_date
                = cast(previous_period_start_date as date)
                and previous_active_period_received_at > last_received_at
                then previous_active_period_received_at
            else last_received_at
        end as last_received_at
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
        'dormant' as activity_state,
        activity_periods_sequenced.last_received_at
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

computed_rows as (

    select * from active_rows
    union all
    select * from dormant_rows

),

candidate_rows as (

    {#- Incremental: the rows from the first rebuilt period on. -#}
    select computed_rows.*
    from computed_rows
    {% if is_incremental() %}
        inner join user_rebuilds
            on
                computed_rows.user_id = user_rebuilds.user_id
                and computed_rows.period_granularity
                = user_rebuilds.period_granularity
        where
            user_rebuilds.rebuild_from_period_start_date is null
            or computed_rows.period_start_date
            >= user_rebuilds.rebuild_from_period_start_date
    {% endif %}

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
        candidate_rows.last_received_at,
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
        cast(
            coalesce(install_events_counted.install_events_count, 0)
            as integer
        ) as install_events_count,
        classified.last_received_at,
        {#- When the run that wrote the row started: a run rewrites rows it
            did not receive new data for (a new dormant row keeps the old
            last_received_at), so this, not last_received_at, marks the rows
            a run rebuilt (the daily test window, the publish's sync). -#}
        {{ run_started_at_literal() }} as built_at
    from classified
    left join install_events_counted
        on classified.user_id = install_events_counted.user_id

)

select * from final
