with

purchase_events as (

    select * from {{ ref('int_purchase_events_converted_to_usd') }}

),

attempts_numbered as (

    select
        event_id as payment_attempt_id,
        order_id,
        user_id,
        course_id,
        platform,
        payment_method,
        payment_status,
        payment_status = 'failed' as is_failed,
        failure_reason,
        cast(attempt_number as integer) as attempt_number,
        occurred_at,
        occurred_date,
        currency,
        cast(amount as decimal(18, 2)) as amount,
        amount_usd

    from purchase_events
    where event_type = 'purchase_attempt'

),

attempts_flagged as (

    select
        attempts_numbered.*,
        attempts_numbered.attempt_number = 1 as is_first_attempt,
        count(*) over (partition by attempts_numbered.order_id)
        = attempts_numbered.attempt_number as is_last_attempt

    from attempts_numbered

)

select * from attempts_flagged
