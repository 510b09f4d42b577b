with

course_interactions as (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

modules as (

    select * from {{ ref('stg_app__modules') }}

),

learning_events as (

    select
        user_id,
        course_id,
        module_id,
        event_type,
        progress_percent,
        occurred_at,
        occurred_date

    from course_interactions

    where
        event_type in ('module_start', 'module_complete', 'progress_update')
        and module_id is not null

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
        count(*) as learning_events_count

    from learning_events
    group by 1, 2, 3

),

with_module_position as (

    select
        aggregated_to_user_modules.user_id,
        aggregated_to_user_modules.course_id,
        aggregated_to_user_modules.module_id,
        modules.module_position,
        aggregated_to_user_modules.reached_at,
        aggregated_to_user_modules.first_started_at,
        aggregated_to_user_modules.first_started_date,
        aggregated_to_user_modules.completed_at,
        aggregated_to_user_modules.completed_at is not null as is_completed,
        aggregated_to_user_modules.first_full_progress_at,
        aggregated_to_user_modules.last_progress_at,
        aggregated_to_user_modules.last_progress_date,
        aggregated_to_user_modules.max_progress_percent,
        aggregated_to_user_modules.learning_events_count

    from aggregated_to_user_modules
    inner join modules
        on aggregated_to_user_modules.module_id = modules.module_id

)

select * from with_module_position
