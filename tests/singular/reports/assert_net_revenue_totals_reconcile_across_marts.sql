{#- Total net revenue (USD) is the same, to the cent, in every model that
    carries it: fct_purchases (sum of orders, orphan refunds included as
    minus the refund), fct_revenue_daily (sum of days; against
    fct_purchases less the money of events dated outside the date spine,
    which no daily mart has), dim_users (sum of
    lifetime net revenue, against the orders of the users it knows), and
    the MIS report (rpt_mis_daily and rpt_mis_daily_kpis, over the complete
    days it covers, against fct_revenue_daily over the same days). Our own
    logic: an error. Returns one row per total that differs. -#}

with

purchases as (

    select * from {{ ref('fct_purchases') }}

),

revenue_daily as (

    select * from {{ ref('fct_revenue_daily') }}

),

commerce_events as (

    select * from {{ ref('fct_commerce_events') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

mis_daily as (

    select * from {{ ref('rpt_mis_daily') }}

),

mis_daily_kpis as (

    select * from {{ ref('rpt_mis_daily_kpis') }}

),

purchases_total as (

    select coalesce(sum(net_revenue_usd), 0) as net_revenue_usd
    from purchases

),

off_spine_total as (

    {#- fct_commerce_events.amount_usd: each event converted at the fixed rate
        and rounded to the cent, the amounts fct_purchases sums. -#}
    select
        coalesce(sum(
            case
                when event_type = 'refund' then -amount_usd else amount_usd
            end
        ), 0) as net_revenue_usd
    from commerce_events
    where
        event_type in ('transaction_completed', 'refund')
        and not {{ is_within_date_spine('occurred_date') }}

),

revenue_daily_total as (

    select coalesce(sum(net_revenue_usd), 0) as net_revenue_usd
    from revenue_daily

),

users_total as (

    select coalesce(sum(lifetime_net_revenue_usd), 0) as net_revenue_usd
    from users

),

known_users_purchases_total as (

    select coalesce(sum(purchases.net_revenue_usd), 0) as net_revenue_usd
    from purchases
    inner join users
        on purchases.user_id = users.user_id

),

report_total as (

    select coalesce(sum(net_revenue_usd), 0) as net_revenue_usd
    from mis_daily

),

report_kpis_total as (

    select coalesce(sum(value), 0) as net_revenue_usd
    from mis_daily_kpis
    where kpi_name = 'net_revenue_usd'

),

revenue_daily_report_days_total as (

    select coalesce(sum(revenue_daily.net_revenue_usd), 0) as net_revenue_usd
    from revenue_daily
    inner join mis_daily
        on revenue_daily.revenue_date = mis_daily.report_date

),

totals as (

    select
        'fct_revenue_daily vs fct_purchases on the date spine'
            as compared_totals,
        revenue_daily_total.net_revenue_usd as left_total_usd,
        purchases_total.net_revenue_usd - off_spine_total.net_revenue_usd
            as right_total_usd
    from revenue_daily_total
    cross join purchases_total
    cross join off_spine_total

    union all

    select
        'dim_users vs fct_purchases of known users' as compared_totals,
        users_total.net_revenue_usd as left_total_usd,
        known_users_purchases_total.net_revenue_usd as right_total_usd
    from users_total
    cross join known_users_purchases_total

    union all

    select
        'rpt_mis_daily vs fct_revenue_daily on report days'
            as compared_totals,
        report_total.net_revenue_usd as left_total_usd,
        revenue_daily_report_days_total.net_revenue_usd as right_total_usd
    from report_total
    cross join revenue_daily_report_days_total

    union all

    select
        'rpt_mis_daily_kpis vs fct_revenue_daily on report days'
            as compared_totals,
        report_kpis_total.net_revenue_usd as left_total_usd,
        revenue_daily_report_days_total.net_revenue_usd as right_total_usd
    from report_kpis_total
    cross join revenue_daily_report_days_total

)

select * from totals
where abs(left_total_usd - right_total_usd) >= 0.005
