{#- The ordered purchase funnel per user x course (PostHog ordered funnel:
    steps in order, other events allowed in between). Every course_click
    starts an attempt (step 1); in an attempt, each later step counts at the
    first event of its kind at or after the previous counted step (the same
    instant counts, `>=`). The commerce steps (2-5) must also fall within
    the conversion window of the attempt's click (click + N days,
    inclusive); the learning step (6) is not windowed. The user x course
    keeps its best attempt: the furthest step, ties to the earliest click.
    Course completion (step 7) is added in fct_purchase_funnel from
    fct_course_enrollments. -#}

{#- Incremental, delete+insert by user x course: a funnel needs all of its
    user's events on that course, so every user x course with a step event
    received since the watermark is rebuilt from all of them. -#}
{{ config(
    materialized='incremental',
    unique_key='course_funnel_id',
) }}
{%- set window_days = var('behavior__funnel_conversion_window_days') -%}

with

course_interactions as (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

purchase_events as (

    select * from {{ ref('stg_app__user_purchases') }}

),

all_step_events as (

    select
        event_id,
        user_id,
        course_id,
        platform,
        occurred_at,
        occurred_date,
        received_at,
        case event_type
            when 'course_click' then 1
            when 'wishlist_add' then 2
            when 'cart_add' then 3
            when 'purchase_attempt' then 4
            when 'module_start' then 6
        end as step_number

    from course_interactions
    where
        event_type in (
            'course_click',
            'wishlist_add',
            'cart_add',
            'purchase_attempt',
            'module_start'
        )

    union all

    select
        event_id,
        user_id,
        course_id,
        platform,
        occurred_at,
        occurred_date,
        received_at,
        5 as step_number

    from purchase_events
    where event_type = 'transaction_completed'

),

reprocessed_funnels as (  -- noqa: ST03

    select distinct
        user_id,
        course_id
    from all_step_events
    where {{ is_reprocessed('received_at', 'occurred_date') }}

),

step_events as (

    {{ select_reprocessed(
        'all_step_events',
        'reprocessed_funnels',
        {'user_id': 'user_id', 'course_id': 'course_id'}
    ) }}

),

funnels_received as (

    {#- The newest received_at of each rebuilt funnel's events: the
        watermark of the next incremental run. -#}
    select
        user_id,
        course_id,
        max(received_at) as last_received_at
    from step_events
    group by 1, 2

),

funnel_starts as (

    {#- Every click starts an attempt, keyed by the click's event_id. -#}
    select
        event_id as click_event_id,
        user_id,
        course_id,
        platform,
        occurred_at as clicked_at,
        {{ dbt.dateadd('day', window_days, 'occurred_at') }}
            as conversion_window_ends_at

    from step_events
    where step_number = 1

),

wishlists_reached as (

    select
        funnel_starts.click_event_id,
        funnel_starts.user_id,
        funnel_starts.course_id,
        funnel_starts.conversion_window_ends_at,
        min(step_events.occurred_at) as wishlisted_at

    from funnel_starts
    inner join step_events
        on
            funnel_starts.user_id = step_events.user_id
            and funnel_starts.course_id = step_events.course_id
            and step_events.step_number = 2
            and funnel_starts.clicked_at <= step_events.occurred_at
            and funnel_starts.conversion_window_ends_at
            >= step_events.occurred_at
    group by 1, 2, 3, 4

),

carts_reached as (

    select
        wishlists_reached.click_event_id,
        wishlists_reached.user_id,
        wishlists_reached.course_id,
        wishlists_reached.conversion_window_ends_at,
        min(step_events.occurred_at) as carted_at

    from wishlists_reached
    inner join step_events
        on
            wishlists_reached.user_id = step_events.user_id
            and wishlists_reached.course_id = step_events.course_id
            and step_events.step_number = 3
            and wishlists_reached.wishlisted_at <= step_events.occurred_at
            and wishlists_reached.conversion_window_ends_at
            >= step_events.occurred_at
    group by 1, 2, 3, 4

),

purchase_attempts_reached as (

    select
        carts_reached.click_event_id,
        carts_reached.user_id,
        carts_reached.course_id,
        carts_reached.conversion_window_ends_at,
        min(step_events.occurred_at) as purchase_attempted_at

    from carts_reached
    inner join step_events
        on
            carts_reached.user_id = step_events.user_id
            and carts_reached.course_id = step_events.course_id
            and step_events.step_number = 4
            and carts_reached.carted_at <= step_events.occurred_at
            and carts_reached.conversion_window_ends_at
            >= step_events.occurred_at
    group by 1, 2, 3, 4

),

payments_reached as (

    select
        purchase_attempts_reached.click_event_id,
        purchase_attempts_reached.user_id,
        purchase_attempts_reached.course_id,
        purchase_attempts_reached.conversion_window_ends_at,
        min(step_events.occurred_at) as paid_at

    from purchase_attempts_reached
    inner join step_events
        on
            purchase_attempts_reached.user_id = step_events.user_id
            and purchase_attempts_reached.course_id = step_events.course_id
            and step_events.step_number = 5
            and purchase_attempts_reached.purchase_attempted_at
            <= step_events.occurred_at
            and purchase_attempts_reached.conversion_window_ends_at
            >= step_events.occurred_at
    group by 1, 2, 3, 4

),

module_starts_reached as (

    {#- Learning continuation: in order, but not windowed. -#}
    select
        payments_reached.click_event_id,
        payments_reached.user_id,
        payments_reached.course_id,
        payments_reached.conversion_window_ends_at,
        min(step_events.occurred_at) as first_module_started_at

    from payments_reached
    inner join step_events
        on
            payments_reached.user_id = step_events.user_id
            and payments_reached.course_id = step_events.course_id
            and step_events.step_number = 6
            and payments_reached.paid_at <= step_events.occurred_at
    group by 1, 2, 3, 4

),

funnels_joined as (

    select
        funnel_starts.click_event_id,
        funnel_starts.user_id,
        funnel_starts.course_id,
        funnel_starts.platform,
        funnel_starts.clicked_at,
        funnel_starts.conversion_window_ends_at,
        wishlists_reached.wishlisted_at,
        carts_reached.carted_at,
        purchase_attempts_reached.purchase_attempted_at,
        payments_reached.paid_at,
        module_starts_reached.first_module_started_at,
        case
            when module_starts_reached.first_module_started_at is not null
                then 6
            when payments_reached.paid_at is not null then 5
            when purchase_attempts_reached.purchase_attempted_at is not null
                then 4
            when carts_reached.carted_at is not null then 3
            when wishlists_reached.wishlisted_at is not null then 2
            else 1
        end as furthest_step_number

    from funnel_starts
    left join wishlists_reached
        on funnel_starts.click_event_id = wishlists_reached.click_event_id
    left join carts_reached
        on funnel_starts.click_event_id = carts_reached.click_event_id
    left join purchase_attempts_reached
        on
            funnel_starts.click_event_id
            = purchase_attempts_reached.click_event_id
    left join payments_reached
        on funnel_starts.click_event_id = payments_reached.click_event_id
    left join module_starts_reached
        on funnel_starts.click_event_id = module_starts_reached.click_event_id

),

attempts_ranked as (

    {#- Best attempt first: furthest step, then the earliest click. -#}
    select
        funnels_joined.*,
        count(*) over (
            partition by funnels_joined.user_id, funnels_joined.course_id
        ) as funnel_attempts_count,
        row_number() over (
            partition by funnels_joined.user_id, funnels_joined.course_id
            order by
                funnels_joined.furthest_step_number desc,
                funnels_joined.clicked_at asc,
                funnels_joined.click_event_id asc
        ) as attempt_rank

    from funnels_joined

),

funnels_keyed as (

    select
        {{ surrogate_key([
            'attempts_ranked.user_id', 'attempts_ranked.course_id'
        ]) }} as course_funnel_id,
        attempts_ranked.user_id,
        attempts_ranked.course_id,
        attempts_ranked.platform,
        attempts_ranked.clicked_at,
        attempts_ranked.conversion_window_ends_at,
        attempts_ranked.wishlisted_at,
        attempts_ranked.carted_at,
        attempts_ranked.purchase_attempted_at,
        attempts_ranked.paid_at,
        attempts_ranked.first_module_started_at,
        attempts_ranked.furthest_step_number,
        cast(attempts_ranked.funnel_attempts_count as integer)
            as funnel_attempts_count,
        funnels_received.last_received_at

    from attempts_ranked
    inner join funnels_received
        on
            attempts_ranked.user_id = funnels_received.user_id
            and attempts_ranked.course_id = funnels_received.course_id
    where attempts_ranked.attempt_rank = 1

)

select * from funnels_keyed
