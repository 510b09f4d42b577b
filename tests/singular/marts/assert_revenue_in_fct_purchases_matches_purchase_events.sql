{#- fct_purchases' totals equal, to the cent, those of the purchase events
    the marts were built from (fct_commerce_events, one row
    per staged event): gross = completed transactions, refunds = refunds,
    net = completed transactions - refunds (USD, each event at the fixed rate
    rounded to the cent). Returns one row when any total differs. -#}

with

purchase_events as (

    -- The staged events the marts were built from: in the lookback fallback
    -- an event loaded after the watermark passed it is not among them until
    -- `behavior reprocess` (counted in rpt_pipeline_late_events and by
    -- assert_no_events_missed_by_the_pipeline), and a reconciliation with
    -- all of staging would stop the build over it. The USD amounts are
    -- recomputed from the fx_rates_to_usd seed, not read from the model.
    select * from {{ ref('fct_commerce_events') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_to_usd') }}

),

purchases as (

    select * from {{ ref('fct_purchases') }}

),

events_totals as (

    select
        coalesce(sum(
            case
                when purchase_events.event_type = 'transaction_completed'
                    then round(
                        cast(purchase_events.amount as decimal(20, 2))
                        * fx_rates.usd_per_unit,
                        2
                    )
            end
        ), 0) as gross_revenue_usd,
        coalesce(sum(
            case
                when purchase_events.event_type = 'refund'
                    then round(
                        cast(purchase_events.amount as decimal(20, 2))
                        * fx_rates.usd_per_unit,
                        2
                    )
            end
        ), 0) as refunds_usd

    from purchase_events
    inner join fx_rates
        on purchase_events.currency = fx_rates.currency

),

mart_totals as (

    select
        coalesce(sum(gross_amount_usd), 0) as gross_revenue_usd,
        coalesce(sum(refund_amount_usd), 0) as refunds_usd,
        coalesce(sum(net_revenue_usd), 0) as net_revenue_usd

    from purchases

),

compared as (

    select
        mart_totals.gross_revenue_usd as mart_gross_usd,
        events_totals.gross_revenue_usd as events_gross_usd,
        mart_totals.refunds_usd as mart_refunds_usd,
        events_totals.refunds_usd as events_refunds_usd,
        mart_totals.net_revenue_usd as mart_net_usd,
        events_totals.gross_revenue_usd
        - events_totals.refunds_usd as events_net_usd

    from mart_totals
    cross join events_totals

),

mismatches as (

    select * from compared
    where
        mart_gross_usd != events_gross_usd
        or mart_refunds_usd != events_refunds_usd
        or mart_net_usd != events_net_usd

)

select * from mismatches
