with

user_modules as (

    select *
    from {{ ref('int_course_interactions_aggregated_to_user_modules') }}

),

course_interactions as (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

modules as (

    select * from {{ ref('stg_app__modules') }}

),

modules_ordered as (

    -- The course's order: by position, then module_id (as dim_modules'
    -- is_last_module), so the furthest module is one module even when the
    -- catalog ties two on a position.
    select
        modules.*,
        row_number() over (
            partition by modules.course_id
            order by modules.module_position, modules.module_id
        ) as module_order

    from modules

),

courses as (

    select * from {{ ref('stg_app__courses') }}

),

data_as_of as (

    -- The last day with course interaction data: "today" for stalled
    -- enrollments, so a rebuild on the same data gives the same answer.
    select max(occurred_date) as as_of_date
    from course_interactions

),

course_module_counts as (

    select
        course_id,
        count(*) as module_count

    from modules
    group by 1

),

aggregated_to_enrollments as (

    -- Only the catalog's modules of the course count: an event for a module
    -- id the catalog does not hold, or for a module of another course, is
    -- flagged by the staging checks and counted in rpt_data_quality.
    select
        user_modules.user_id,
        user_modules.course_id,
        min(user_modules.first_started_at) as started_at,
        min(user_modules.first_started_date) as started_date,
        max(user_modules.last_progress_at) as last_progress_at,
        max(user_modules.last_progress_date) as last_progress_date,
        max(user_modules.max_progress_percent) as last_progress_percent,
        count(
            distinct case
                when user_modules.is_completed then user_modules.module_id
            end
        ) as modules_completed_count,
        max(user_modules.completed_at) as last_module_completed_at,
        min(user_modules.first_full_progress_at) as full_progress_at,
        max(modules_ordered.module_position) as furthest_module_position,
        {{ arg_max(
            'modules_ordered.module_id',
            'modules_ordered.module_order'
        ) }} as furthest_module_id

    from user_modules
    inner join modules_ordered
        on
            user_modules.module_id = modules_ordered.module_id
            and user_modules.course_id = modules_ordered.course_id
    group by 1, 2

),

completion_derived as (

    select
        aggregated_to_enrollments.*,
        course_module_counts.module_count,
        courses.is_free as is_free_course,
        case
            when
                aggregated_to_enrollments.modules_completed_count
                >= course_module_counts.module_count
                then aggregated_to_enrollments.last_module_completed_at
        end as all_modules_completed_at

    from aggregated_to_enrollments
    inner join course_module_counts
        on aggregated_to_enrollments.course_id = course_module_counts.course_id
    -- A module of a course the catalog does not hold still makes an
    -- enrollment (is_free_course unknown; dim_modules flags the module).
    left join courses
        on aggregated_to_enrollments.course_id = courses.course_id
    -- An enrollment starts with a module start or a progress update.
    where aggregated_to_enrollments.started_at is not null

),

completed_at_derived as (

    select
        completion_derived.*,
        -- The earlier of the two completion signals.
        case
            when completion_derived.full_progress_at is null
                then completion_derived.all_modules_completed_at
            when completion_derived.all_modules_completed_at is null
                then completion_derived.full_progress_at
            when
                completion_derived.full_progress_at
                <= completion_derived.all_modules_completed_at
                then completion_derived.full_progress_at
            else completion_derived.all_modules_completed_at
        end as completed_at

    from completion_derived

),

final as (

    select
        {{ surrogate_key(['completed_at_derived.user_id',
                          'completed_at_derived.course_id']) }}
            as enrollment_id,
        completed_at_derived.user_id,
        completed_at_derived.course_id,
        completed_at_derived.is_free_course,
        completed_at_derived.started_at,
        completed_at_derived.started_date,
        completed_at_derived.last_progress_at,
        completed_at_derived.last_progress_date,
        cast(
            coalesce(completed_at_derived.last_progress_percent, 0) as double
        ) as last_progress_percent,
        cast(completed_at_derived.module_count as integer) as module_count,
        cast(
            completed_at_derived.modules_completed_count as integer
        ) as modules_completed_count,
        cast(
            completed_at_derived.furthest_module_position as integer
        ) as furthest_module_position,
        completed_at_derived.furthest_module_id,
        completed_at_derived.completed_at is not null as is_completed,
        completed_at_derived.completed_at,
        {{ to_reporting_date('completed_at_derived.completed_at') }}
            as completed_date,
        cast(
            {{ dbt.datediff(
                'completed_at_derived.started_at',
                'completed_at_derived.completed_at',
                'second'
            ) }} as bigint
        ) as seconds_to_complete,
        cast(
            {{ dbt.datediff(
                'completed_at_derived.last_progress_date',
                'data_as_of.as_of_date',
                'day'
            ) }} as integer
        ) as days_since_last_progress,
        completed_at_derived.completed_at is null
        and {{ dbt.datediff(
                'completed_at_derived.last_progress_date',
                'data_as_of.as_of_date',
                'day'
            ) }} >= {{ var('behavior__stalled_after_days') }}
            as is_stalled,
        data_as_of.as_of_date as stalled_as_of_date

    from completed_at_derived
    cross join data_as_of

)

select * from final
