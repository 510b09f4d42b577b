with

user_periods as (

    select * from {{ ref('int_user_periods_classified') }}

),

counted as (

    select
        period_granularity,
        period_start_date,
        lifecycle_state,
        count(*) as users_count
    from user_periods
    group by 1, 2, 3

),

final as (

    {#- PostHog draws dormant users below the axis: signed_users_count is
        negative for dormant and uninstalled, so a stacked chart of it
        reads like PostHog's lifecycle chart. -#}
    select
        {{ surrogate_key([
            'period_granularity', 'period_start_date', 'lifecycle_state'
        ]) }} as lifecycle_state_count_id,
        period_granularity,
        period_start_date,
        lifecycle_state,
        cast(users_count as integer) as users_count,
        cast(
            case
                when lifecycle_state in ('dormant', 'uninstalled')
                    then -users_count
                else users_count
            end as integer
        ) as signed_users_count
    from counted

)

select * from final
