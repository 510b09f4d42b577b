with

user_periods as (

    select * from {{ ref('int_user_periods_classified') }}

),

final as (

    select
        user_period_id as user_week_id,
        user_id,
        period_start_date as week_start_date,
        signup_period_start_date as signup_week_start_date,
        lifecycle_state,
        is_active,
        active_days_count,
        latest_install_event_type
    from user_periods
    where period_granularity = 'week'

)

select * from final
