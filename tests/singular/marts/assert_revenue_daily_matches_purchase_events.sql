{#- Gross revenue, refunds and net revenue of fct_revenue_daily equal, day by
    day and to the cent, the completed transactions and refunds the marts
    were built from (fct_commerce_events, one row per staged
    event) converted to USD (each event at the fixed rate, rounded to the
    cent). A day with event money but no fct_revenue_daily row fails too.
    An event dated outside the date spine (a sentinel date from another
    writer) has no day in fct_revenue_daily, by design, and is left out here
    too (rpt_data_quality counts it). Returns the days that differ. -#}

with

purchase_events as (

    -- Why these events and not all of staging: see
    -- assert_revenue_in_fct_purchases_matches_purchase_events.
    select * from {{ ref('fct_commerce_events') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_to_usd') }}

),

revenue_daily as (

    select * from {{ ref('fct_revenue_daily') }}

),

events_by_day as (

    select
        purchase_events.occurred_date as revenue_date,
        sum(
            case
                when purchase_events.event_type = 'transaction_completed'
                    then round(
                        cast(purchase_events.amount as decimal(20, 2))
                        * fx_rates.usd_per_unit,
                        2
                    )
                else 0
            end
        ) as gross_revenue_usd,
        sum(
            case
                when purchase_events.event_type = 'refund'
                    then round(
                        cast(purchase_events.amount as decimal(20, 2))
                        * fx_rates.usd_per_unit,
                        2
                    )
                else 0
            end
        ) as refunds_usd

    from purchase_events
    inner join fx_rates
        on purchase_events.currency = fx_rates.currency
    where
        purchase_events.event_type in ('transaction_completed', 'refund')
        and {{ is_within_date_spine('purchase_events.occurred_date') }}
    group by 1

),

compared as (

    select
        coalesce(
            revenue_daily.revenue_date, events_by_day.revenue_date
        ) as revenue_date,
        coalesce(revenue_daily.gross_revenue_usd, 0) as mart_gross_usd,
        coalesce(events_by_day.gross_revenue_usd, 0) as events_gross_usd,
        coalesce(revenue_daily.refunds_usd, 0) as mart_refunds_usd,
        coalesce(events_by_day.refunds_usd, 0) as events_refunds_usd,
        coalesce(revenue_daily.net_revenue_usd, 0) as mart_net_usd,
        coalesce(events_by_day.gross_revenue_usd, 0)
        - coalesce(events_by_day.refunds_usd, 0) as events_net_usd

    from revenue_daily
    full outer join events_by_day
        on revenue_daily.revenue_date = events_by_day.revenue_date

),

mismatches as (

    select * from compared
    where
        mart_gross_usd != events_gross_usd
        or mart_refunds_usd != events_refunds_usd
        or mart_net_usd != events_net_usd

)

select * from mismatches
