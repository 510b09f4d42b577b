{#- Incremental, delete+insert by order: attempt numbers depend on the whole
    order, so an order with any event received since the watermark is rebuilt
    from all its events. -#}
{{ config(
    materialized='incremental',
    unique_key='order_id',
) }}

with

all_purchase_events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_purchases') }}

),

reprocessed_orders as (  -- noqa: ST03

    select distinct order_id
    from all_purchase_events
    where {{ is_reprocessed('received_at', 'occurred_date', 'received_at') }}

),

purchase_events as (

    {{ select_reprocessed(
        'all_purchase_events', 'reprocessed_orders', {'order_id': 'order_id'}
    ) }}

),

fx_rates as (

    select * from {{ ref('fx_rates_to_usd') }}

),

converted_to_usd as (

    select
        purchase_events.event_id,
        purchase_events.order_id,
        purchase_events.user_id,
        purchase_events.course_id,
        purchase_events.event_type,
        purchase_events.payment_method,
        purchase_events.payment_status,
        purchase_events.failure_reason,
        purchase_events.platform,
        purchase_events.occurred_at,
        purchase_events.occurred_date,
        purchase_events.received_at,
        purchase_events.currency,
        purchase_events.amount,
        fx_rates.usd_per_unit,
        {#- The amount widened first: DuckDB multiplies two decimals of at
            most 18 digits in 18 digits, which the largest raw amounts
            overflow in any currency above 1 USD (a build-stopping error);
            from 19 digits on it computes in 38. -#}
        cast(
            round(
                cast(purchase_events.amount as decimal(20, 2))
                * fx_rates.usd_per_unit,
                2
            )
            as decimal(18, 2)
        ) as amount_usd,
        {#- bigint on both engines (Spark's row_number is an int). -#}
        cast(case
            when purchase_events.event_type = 'purchase_attempt'
                then row_number() over (
                    partition by
                        purchase_events.order_id,
                        purchase_events.event_type
                    order by
                        purchase_events.occurred_at,
                        purchase_events.event_id
                )
        end as bigint) as attempt_number

    from purchase_events
    left join fx_rates
        on purchase_events.currency = fx_rates.currency

)

select * from converted_to_usd
