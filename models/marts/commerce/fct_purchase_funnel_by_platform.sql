{#- The purchase funnel per paid course x platform x step: the platform
    rows of int_purchase_funnel_steps_aggregated (a funnel belongs to the
    platform of its counted attempt's click); the totals over all platforms
    are in fct_purchase_funnel. -#}

with

funnel_steps as (

    select * from {{ ref('int_purchase_funnel_steps_aggregated') }}

),

platforms as (

    select
        purchase_funnel_step_id,
        course_id,
        platform,
        step_number,
        step_name,
        is_in_conversion_window,
        users_count,
        conversion_from_previous_rate,
        conversion_from_first_rate,
        median_seconds_from_previous_step

    from funnel_steps
    where platform != 'all'

)

select * from platforms
