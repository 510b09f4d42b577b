{#- Three order/attempt populations, each placed on its own day, method and
    platform, then summed: attempts on the attempt's day; failed orders on
    the day, method and platform of their first failed attempt (recovery
    cohort); paid orders on their paid day with their final (succeeded)
    method and the order's platform (refund cohort). -#}

{#- Its checks test each day against the date spine (util_days), which this
    model does not read: declared upstream so that the checks read only this
    model's ancestors, and a failure of them stops every node downstream
    (behavior structure). -#}
-- depends_on: {{ ref('util_days') }}

with

payment_attempts as (

    select * from {{ ref('fct_payment_attempts') }}

),

purchases as (

    select * from {{ ref('fct_purchases') }}

),

attempts_counted as (

    select
        occurred_date as payment_date,
        payment_method,
        platform,
        count(*) as attempts_count,
        count(case when is_failed then payment_attempt_id end)
            as failed_attempts_count

    from payment_attempts
    group by 1, 2, 3

),

failed_attempts_ranked as (

    select
        order_id,
        occurred_date,
        payment_method,
        platform,
        row_number() over (
            partition by order_id
            order by attempt_number
        ) as failure_number

    from payment_attempts
    where is_failed

),

failed_orders_counted as (

    select
        failed_attempts_ranked.occurred_date as payment_date,
        failed_attempts_ranked.payment_method,
        failed_attempts_ranked.platform,
        count(*) as failed_orders_count,
        count(
            case when purchases.is_recovered then purchases.order_id end
        ) as recovered_orders_count,
        percentile_cont(0.5) within group (
            order by purchases.seconds_to_recover
        ) as median_seconds_to_recover

    from failed_attempts_ranked
    inner join purchases
        on failed_attempts_ranked.order_id = purchases.order_id
    where failed_attempts_ranked.failure_number = 1
    group by 1, 2, 3

),

paid_orders_counted as (

    select
        paid_date as payment_date,
        -- 'unknown' for a paid order whose events named no method, as in
        -- fct_payment_attempts
        coalesce(final_payment_method, 'unknown') as payment_method,
        platform,
        count(*) as paid_orders_count,
        count(case when is_refunded then order_id end)
            as refunded_orders_count,
        sum(refund_amount_usd) as refund_amount_usd

    from purchases
    where is_paid
    group by 1, 2, 3

),

populations_unioned as (

    select
        payment_date,
        payment_method,
        platform,
        attempts_count,
        failed_attempts_count,
        0 as failed_orders_count,
        0 as recovered_orders_count,
        cast(null as double) as median_seconds_to_recover,
        0 as paid_orders_count,
        0 as refunded_orders_count,
        0 as refund_amount_usd

    from attempts_counted

    union all

    select
        payment_date,
        payment_method,
        platform,
        0 as attempts_count,
        0 as failed_attempts_count,
        failed_orders_count,
        recovered_orders_count,
        median_seconds_to_recover,
        0 as paid_orders_count,
        0 as refunded_orders_count,
        0 as refund_amount_usd

    from failed_orders_counted

    union all

    select
        payment_date,
        payment_method,
        platform,
        0 as attempts_count,
        0 as failed_attempts_count,
        0 as failed_orders_count,
        0 as recovered_orders_count,
        cast(null as double) as median_seconds_to_recover,
        paid_orders_count,
        refunded_orders_count,
        refund_amount_usd

    from paid_orders_counted

),

payments_summed as (

    select
        payment_date,
        payment_method,
        platform,
        sum(attempts_count) as attempts_count,
        sum(failed_attempts_count) as failed_attempts_count,
        sum(failed_orders_count) as failed_orders_count,
        sum(recovered_orders_count) as recovered_orders_count,
        max(median_seconds_to_recover) as median_seconds_to_recover,
        sum(paid_orders_count) as paid_orders_count,
        sum(refunded_orders_count) as refunded_orders_count,
        sum(refund_amount_usd) as refund_amount_usd

    from populations_unioned
    {# A day the date spine cannot hold (a sentinel such as 0001-01-01 from
        another writer than the loader) is in no daily mart: its attempts and
        orders stay in fct_payment_attempts and fct_purchases. #}
    where {{ is_within_date_spine('payment_date') }}
    group by 1, 2, 3

),

rates_computed as (

    select
        payment_date,
        payment_method,
        platform,
        cast(attempts_count as integer) as attempts_count,
        cast(failed_attempts_count as integer) as failed_attempts_count,
        cast(failed_attempts_count as double)
        / nullif(attempts_count, 0) as failure_rate,
        cast(failed_orders_count as integer) as failed_orders_count,
        cast(recovered_orders_count as integer) as recovered_orders_count,
        cast(recovered_orders_count as double)
        / nullif(failed_orders_count, 0) as recovery_rate,
        median_seconds_to_recover,
        cast(paid_orders_count as integer) as paid_orders_count,
        cast(refunded_orders_count as integer) as refunded_orders_count,
        cast(refunded_orders_count as double)
        / nullif(paid_orders_count, 0) as refund_rate,
        cast(refund_amount_usd as decimal(18, 2)) as refund_amount_usd

    from payments_summed

)

select * from rates_computed
