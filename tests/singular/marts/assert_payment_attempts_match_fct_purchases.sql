{#- Every order's attempts_count and failed_attempts_count in fct_purchases
    equal its rows in fct_payment_attempts. Returns the orders that differ. -#}

with

purchases as (

    select * from {{ ref('fct_purchases') }}

),

payment_attempts as (

    select * from {{ ref('fct_payment_attempts') }}

),

attempts_by_order as (

    select
        order_id,
        count(*) as attempts_count,
        count(case when is_failed then payment_attempt_id end)
            as failed_attempts_count

    from payment_attempts
    group by 1

),

mismatches as (

    select
        purchases.order_id,
        purchases.attempts_count,
        coalesce(attempts_by_order.attempts_count, 0)
            as attempt_rows_count,
        purchases.failed_attempts_count,
        coalesce(attempts_by_order.failed_attempts_count, 0)
            as failed_attempt_rows_count

    from purchases
    left join attempts_by_order
        on purchases.order_id = attempts_by_order.order_id
    where
        purchases.attempts_count
        != coalesce(attempts_by_order.attempts_count, 0)
        or purchases.failed_attempts_count
        != coalesce(attempts_by_order.failed_attempts_count, 0)

)

select * from mismatches
