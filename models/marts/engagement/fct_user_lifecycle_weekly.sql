{#- A view: the week rows of int_user_periods_classified, renamed. As a
    table it copied every user's periods since sign-up on every run (the
    largest table the daily run rebuilt whole); the publish writes it as a
    table in the serving file. Its checks hold the contract's NOT NULLs,
    which a view does not enforce. built_at (when the run that wrote the
    row started) lets the publish bring its served copy up to date in place
    from the rows built since, instead of writing every row again. -#}
{{ config(materialized='view') }}

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
        latest_install_event_type,
        built_at
    from user_periods
    where period_granularity = 'week'

)

select * from final
