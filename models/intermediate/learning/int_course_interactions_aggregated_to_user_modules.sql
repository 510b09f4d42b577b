{#- Incremental, delete+insert by user x module: a row is an aggregate of
    the user's learning events for the module under one course and of
    nothing else, so every user x module with a learning event received
    since the watermark is rebuilt from all of its events, under every
    course they name (one row per course: user x course x module). The catalog is joined by the readers
    (fct_course_enrollments, fct_module_dropoff), not here: a module that
    joins the catalog after its events, or moves in it, then reaches the
    marts on the next run without rebuilding any row of this table. -#}
{{ config(
    materialized='incremental',
    unique_key=['user_id', 'module_id'],
) }}

with

all_course_interactions as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

all_learning_events as {{ not_materialized() }} (

    select
        user_id,
        course_id,
        module_id,
        event_type,
        progress_percent,
        occurred_at,
        occurred_date,
        received_at

    from all_course_interactions

    where
        event_type in ('module_start', 'module_complete', 'progress_update')
        and module_id is not null

),

reprocessed_user_modules as (  -- noqa: ST03

    select distinct
        user_id,
        module_id
    from all_learning_events
    where {{ is_reprocessed('received_at', 'occurred_date') }}

),

learning_events as (

    {{ select_reprocessed(
        'all_learning_events',
        'reprocessed_user_modules',
        {
            'user_id': 'user_id',
            'module_id': 'module_id'
        }
    ) }}

),

aggregated_to_user_modules as (

    select
        user_id,
        course_id,
        module_id,
        min(occurred_at) as reached_at,
        min(
            case
                when event_type in ('module_start', 'progress_update')
                    then occurred_at
            end
        ) as first_started_at,
        min(
            case
                when event_type in ('module_start', 'progress_update')
                    then occurred_date
            end
        ) as first_started_date,
        min(
            case when event_type = 'module_complete' then occurred_at end
        ) as completed_at,
        min(
            case when progress_percent >= 100 then occurred_at end
        ) as first_full_progress_at,
        max(occurred_at) as last_progress_at,
        max(occurred_date) as last_progress_date,
        max(progress_percent) as max_progress_percent,
        count(*) as learning_events_count,
        max(received_at) as last_received_at

    from learning_events
    group by 1, 2, 3

),

final as (

    select
        user_id,
        course_id,
        module_id,
        reached_at,
        first_started_at,
        first_started_date,
        completed_at,
        completed_at is not null as is_completed,
        first_full_progress_at,
        last_progress_at,
        last_progress_date,
        max_progress_percent,
        learning_events_count,
        last_received_at

    from aggregated_to_user_modules

)

select * from final
