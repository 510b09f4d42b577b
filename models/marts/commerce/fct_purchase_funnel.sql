{#- The purchase funnel over all platforms, one row per paid course x step:
    the 'all' rows of int_purchase_funnel_steps_aggregated, without a
    platform column. -#}

with

funnel_steps as (

    select * from {{ ref('int_purchase_funnel_steps_aggregated') }}

),

all_platforms as (

    select
        {{ surrogate_key(['course_id', 'step_number']) }}
            as purchase_funnel_step_id,
        course_id,
        step_number,
        step_name,
        is_in_conversion_window,
        users_count,
        conversion_from_previous_rate,
        conversion_from_first_rate,
        median_seconds_from_previous_step

    from funnel_steps
    where platform = 'all'

)

select * from all_platforms
