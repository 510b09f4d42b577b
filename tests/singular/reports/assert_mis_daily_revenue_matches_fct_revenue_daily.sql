{#- The report's revenue KPIs equal the commerce mart, day by day, to the cent.
    Returns the days where they differ. -#}

with

mis_daily as (

    select * from {{ ref('rpt_mis_daily') }}

),

revenue_daily as (

    select * from {{ ref('fct_revenue_daily') }}

),

compared as (

    select
        mis_daily.report_date,
        mis_daily.gross_revenue_usd as report_gross_revenue_usd,
        revenue_daily.gross_revenue_usd as mart_gross_revenue_usd,
        mis_daily.refunds_usd as report_refunds_usd,
        revenue_daily.refunds_usd as mart_refunds_usd,
        mis_daily.net_revenue_usd as report_net_revenue_usd,
        revenue_daily.net_revenue_usd as mart_net_revenue_usd

    from mis_daily
    left join revenue_daily
        on mis_daily.report_date = revenue_daily.revenue_date

)

select * from compared
where
    coalesce(
        abs(report_gross_revenue_usd - mart_gross_revenue_usd) >= 0.005, true
    )
    or coalesce(abs(report_refunds_usd - mart_refunds_usd) >= 0.005, true)
    or coalesce(
        abs(report_net_revenue_usd - mart_net_revenue_usd) >= 0.005, true
    )
