with

days as (

    select * from {{ ref('util_days') }}

),

purchase_events as (

    select * from {{ ref('fct_commerce_events') }}

),

engagement_daily as (

    select * from {{ ref('fct_engagement_daily') }}

),

transactions_by_day as (

    select
        occurred_date as revenue_date,
        count(*) as transactions_count,
        count(distinct user_id) as paying_users_count,
        sum(amount_usd) as gross_revenue_usd

    from purchase_events
    where event_type = 'transaction_completed'
    group by 1

),

refunds_by_day as (

    select
        occurred_date as revenue_date,
        count(*) as refunds_count,
        sum(amount_usd) as refunds_usd

    from purchase_events
    where event_type = 'refund'
    group by 1

),

active_users_by_day as (

    select
        activity_date as revenue_date,
        dau as active_users_count

    from engagement_daily

),

days_joined as (

    select
        days.date_day as revenue_date,
        cast(coalesce(transactions_by_day.transactions_count, 0) as integer)
            as transactions_count,
        cast(coalesce(refunds_by_day.refunds_count, 0) as integer)
            as refunds_count,
        cast(
            coalesce(transactions_by_day.gross_revenue_usd, 0)
            as decimal(18, 2)
        ) as gross_revenue_usd,
        cast(coalesce(refunds_by_day.refunds_usd, 0) as decimal(18, 2))
            as refunds_usd,
        cast(
            coalesce(transactions_by_day.paying_users_count, 0) as integer
        ) as paying_users_count,
        cast(
            coalesce(active_users_by_day.active_users_count, 0) as integer
        ) as active_users_count

    from days
    left join transactions_by_day
        on days.date_day = transactions_by_day.revenue_date
    left join refunds_by_day
        on days.date_day = refunds_by_day.revenue_date
    left join active_users_by_day
        on days.date_day = active_users_by_day.revenue_date

),

net_revenue_computed as (

    select
        revenue_date,
        transactions_count,
        refunds_count,
        gross_revenue_usd,
        refunds_usd,
        cast(gross_revenue_usd - refunds_usd as decimal(18, 2))
            as net_revenue_usd,
        paying_users_count,
        active_users_count,
        cast(
            cast(gross_revenue_usd - refunds_usd as double)
            / nullif(active_users_count, 0)
            as decimal(18, 2)
        ) as arpu_usd,
        cast(
            cast(gross_revenue_usd - refunds_usd as double)
            / nullif(paying_users_count, 0)
            as decimal(18, 2)
        ) as arppu_usd

    from days_joined

)

select * from net_revenue_computed
