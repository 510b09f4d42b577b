{#- In fct_purchase_funnel, users reaching a step never exceed the users of
    the previous step within a course x platform, and the 'all' rows equal
    the sum of the platform rows. Returns the offending rows. -#}

with

purchase_funnel as (

    select * from {{ ref('fct_purchase_funnel') }}

),

steps_with_previous as (

    select
        course_id,
        platform,
        step_number,
        users_count,
        lag(users_count) over (
            partition by course_id, platform
            order by step_number
        ) as previous_step_users_count

    from purchase_funnel

),

increases as (

    select
        course_id,
        platform,
        step_number,
        users_count,
        previous_step_users_count,
        'increase over previous step' as problem

    from steps_with_previous
    where users_count > previous_step_users_count

),

platforms_summed as (

    select
        course_id,
        step_number,
        sum(case when platform = 'all' then users_count end)
            as all_users_count,
        sum(case when platform != 'all' then users_count end)
            as platform_users_count

    from purchase_funnel
    group by 1, 2

),

all_rows_off as (

    select
        course_id,
        'all' as platform,
        step_number,
        all_users_count as users_count,
        platform_users_count as previous_step_users_count,
        'all row differs from the sum of platforms' as problem

    from platforms_summed
    where all_users_count != platform_users_count

),

failures as (

    select * from increases

    union all

    select * from all_rows_off

)

select * from failures
