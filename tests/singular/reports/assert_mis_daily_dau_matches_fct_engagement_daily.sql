{#- The report's DAU, WAU and MAU equal the engagement mart (the whole app),
    day by day. Returns the days where they differ. -#}

with

mis_daily as (

    select * from {{ ref('rpt_mis_daily') }}

),

engagement_daily as (

    select * from {{ ref('fct_engagement_daily') }}

),

whole_app as (

    select * from engagement_daily

),

compared as (

    select
        mis_daily.report_date,
        mis_daily.dau as report_dau,
        whole_app.dau as mart_dau,
        mis_daily.wau as report_wau,
        whole_app.wau as mart_wau,
        mis_daily.mau as report_mau,
        whole_app.mau as mart_mau

    from mis_daily
    left join whole_app
        on mis_daily.report_date = whole_app.activity_date

)

select * from compared
where
    report_dau is distinct from mart_dau
    or report_wau is distinct from mart_wau
    or report_mau is distinct from mart_mau
