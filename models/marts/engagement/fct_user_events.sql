{#- The unified event stream: one row per user-initiated event from every
    source, with a canonical event name (README "Questions on demand") and the
    event's properties as typed columns. `behavior insight` queries it.
    Server-side refunds are not user-initiated and are left out, as is a
    commerce type outside the contract (as in the active-day definition,
    macro is_user_initiated_commerce_event); install events come from the
    user records. A course interaction of a type outside the contract still
    makes its user active (README "Active user"), so it stays in the stream,
    named other_course_interaction: every name is canonical and no event_id
    can take another source's name (staging's anomaly check counts it).

    A view, not a table: two thirds of its rows are the sessions' screens and
    features, which the session staging table already holds as lists, and
    nothing in the build reads the stream. Stored, it was the widest copy in
    the warehouse (32M rows at 10M raw rows: 38 of a 95 s full build, 3.4 s of
    every daily run) while computing it takes about a second. `behavior
    publish` stores it as a table in the serving file, which BI, the dashboard
    and `behavior insight` read. The screen views and feature uses take the
    session's platform and open time from their staging views (carried
    through the unnest), not from a join back to the sessions: that join of
    34M unnested rows was 45 % of the time to compute the stream (counting
    and hashing its 44M rows at 10M raw rows over 601 days: 11.4 -> 6.4 s,
    the publish's check of it). -#}
{{ config(materialized='view') }}

{%- set interaction_name -%}
    case
        when event_type in ({{ sql_values(course_interaction_types()) }})
            then event_type
        else 'other_course_interaction'
    end
{%- endset %}

with

course_interactions as (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

session_screen_views as (

    select * from {{ ref('stg_app__session_screen_views') }}

),

session_features as (

    select * from {{ ref('stg_app__session_features') }}

),

quiz_attempts as (

    select * from {{ ref('stg_app__quiz_attempts') }}

),

purchase_events as (

    select * from {{ ref('fct_commerce_events') }}
    where {{ is_user_initiated_commerce_event() }}

),

install_events as (

    select * from {{ ref('stg_app__user_install_events') }}

),

users as (

    select * from {{ ref('stg_app__users') }}

),


course_interaction_events as (

    select
        {{ interaction_name }} || ':' || event_id as event_id,
        'course_interactions' as event_source,
        {{ interaction_name }} as event_name,
        user_id,
        occurred_at as event_at,
        platform,
        cast(null as string) as session_id,
        course_id,
        module_id,
        cast(null as string) as quiz_id,
        cast(null as string) as order_id,
        cast(null as string) as screen_name,
        cast(null as string) as feature_name,
        progress_percent,
        cast(null as double) as score_percent,
        cast(null as double) as amount_usd,
        cast(null as string) as payment_method,
        cast(null as string) as payment_status,
        received_at

    from course_interactions

),

session_open_events as (

    select
        'session_open:' || session_id as event_id,
        'sessions' as event_source,
        'session_open' as event_name,
        user_id,
        opened_at as event_at,
        platform,
        session_id,
        cast(null as string) as course_id,
        cast(null as string) as module_id,
        cast(null as string) as quiz_id,
        cast(null as string) as order_id,
        cast(null as string) as screen_name,
        cast(null as string) as feature_name,
        cast(null as double) as progress_percent,
        cast(null as double) as score_percent,
        cast(null as double) as amount_usd,
        cast(null as string) as payment_method,
        cast(null as string) as payment_status,
        received_at

    from user_app_sessions

),

screen_view_events as (

    {#- A step whose time did not parse takes the session's open time. -#}
    select
        'screen_view:' || session_screen_views.screen_view_id as event_id,
        'sessions' as event_source,
        'screen_view' as event_name,
        session_screen_views.user_id,
        coalesce(
            session_screen_views.viewed_at, session_screen_views.opened_at
        ) as event_at,
        session_screen_views.platform,
        session_screen_views.session_id,
        cast(null as string) as course_id,
        cast(null as string) as module_id,
        cast(null as string) as quiz_id,
        cast(null as string) as order_id,
        session_screen_views.screen_name,
        cast(null as string) as feature_name,
        cast(null as double) as progress_percent,
        cast(null as double) as score_percent,
        cast(null as double) as amount_usd,
        cast(null as string) as payment_method,
        cast(null as string) as payment_status,
        session_screen_views.received_at

    from session_screen_views

),

feature_use_events as (

    {#- The app reports the features used in a session, not when: a feature
        use is stamped at the session's open. -#}
    select
        'feature_use:' || session_features.session_feature_id as event_id,
        'sessions' as event_source,
        'feature_use' as event_name,
        session_features.user_id,
        session_features.opened_at as event_at,
        session_features.platform,
        session_features.session_id,
        cast(null as string) as course_id,
        cast(null as string) as module_id,
        cast(null as string) as quiz_id,
        cast(null as string) as order_id,
        cast(null as string) as screen_name,
        session_features.feature_name,
        cast(null as double) as progress_percent,
        cast(null as double) as score_percent,
        cast(null as double) as amount_usd,
        cast(null as string) as payment_method,
        cast(null as string) as payment_status,
        session_features.received_at

    from session_features

),

quiz_start_events as (

    select
        'quiz_start:' || attempt_id as event_id,
        'quiz_attempts' as event_source,
        'quiz_start' as event_name,
        user_id,
        started_at as event_at,
        platform,
        cast(null as string) as session_id,
        cast(null as string) as course_id,
        cast(null as string) as module_id,
        quiz_id,
        cast(null as string) as order_id,
        cast(null as string) as screen_name,
        cast(null as string) as feature_name,
        cast(null as double) as progress_percent,
        cast(null as double) as score_percent,
        cast(null as double) as amount_usd,
        cast(null as string) as payment_method,
        cast(null as string) as payment_status,
        received_at

    from quiz_attempts

),

quiz_submit_events as (

    select
        'quiz_submit:' || attempt_id as event_id,
        'quiz_attempts' as event_source,
        'quiz_submit' as event_name,
        user_id,
        submitted_at as event_at,
        platform,
        cast(null as string) as session_id,
        cast(null as string) as course_id,
        cast(null as string) as module_id,
        quiz_id,
        cast(null as string) as order_id,
        cast(null as string) as screen_name,
        cast(null as string) as feature_name,
        cast(null as double) as progress_percent,
        score_percent,
        cast(null as double) as amount_usd,
        cast(null as string) as payment_method,
        cast(null as string) as payment_status,
        received_at

    from quiz_attempts
    where submitted_at is not null

),

commerce_events as (

    {#- The server's record of a cart add or payment attempt is named apart
        from the app's course interaction of the same name. -#}
    select
        case event_type
            when 'cart_add' then 'order_cart_add'
            when 'purchase_attempt' then 'payment_attempt'
            else event_type
        end || ':' || event_id as event_id,
        'purchases' as event_source,
        case event_type
            when 'cart_add' then 'order_cart_add'
            when 'purchase_attempt' then 'payment_attempt'
            else event_type
        end as event_name,
        user_id,
        occurred_at as event_at,
        platform,
        cast(null as string) as session_id,
        course_id,
        cast(null as string) as module_id,
        cast(null as string) as quiz_id,
        order_id,
        cast(null as string) as screen_name,
        cast(null as string) as feature_name,
        cast(null as double) as progress_percent,
        cast(null as double) as score_percent,
        cast(amount_usd as double) as amount_usd,
        payment_method,
        payment_status,
        received_at

    from purchase_events

),

app_install_events as (

    {#- Platform: the user's (latest record); no received_at. -#}
    select
        install_events.install_event_type
        || ':' || install_events.install_event_id as event_id,
        'installs' as event_source,
        install_events.install_event_type as event_name,
        install_events.user_id,
        install_events.occurred_at as event_at,
        users.platform,
        cast(null as string) as session_id,
        cast(null as string) as course_id,
        cast(null as string) as module_id,
        cast(null as string) as quiz_id,
        cast(null as string) as order_id,
        cast(null as string) as screen_name,
        cast(null as string) as feature_name,
        cast(null as double) as progress_percent,
        cast(null as double) as score_percent,
        cast(null as double) as amount_usd,
        cast(null as string) as payment_method,
        cast(null as string) as payment_status,
        cast(null as timestamp) as received_at

    from install_events
    left join users
        on install_events.user_id = users.user_id

),

unioned as (

    select * from course_interaction_events
    union all
    select * from session_open_events
    union all
    select * from screen_view_events
    union all
    select * from feature_use_events
    union all
    select * from quiz_start_events
    union all
    select * from quiz_submit_events
    union all
    select * from commerce_events
    union all
    select * from app_install_events

),

final as (

    select
        event_id,
        event_source,
        event_name,
        user_id,
        event_at,
        {{ to_reporting_date('event_at') }} as event_date,
        platform,
        session_id,
        course_id,
        module_id,
        quiz_id,
        order_id,
        screen_name,
        feature_name,
        progress_percent,
        score_percent,
        amount_usd,
        payment_method,
        payment_status,
        received_at

    from unioned

)

select * from final
