{#- Incremental, delete+insert by order, following the orders that
    fct_commerce_events rebuilt since this model's watermark. -#}
{{ config(
    materialized='incremental',
    unique_key='order_id',
) }}

with

all_purchase_events as {{ not_materialized() }} (

    select * from {{ ref('fct_commerce_events') }}

),

reprocessed_orders as (  -- noqa: ST03

    select distinct order_id
    from all_purchase_events
    where {{ is_reprocessed('received_at', 'occurred_date') }}

),

purchase_events as (

    {{ select_reprocessed(
        'all_purchase_events', 'reprocessed_orders', {'order_id': 'order_id'}
    ) }}

),

events_ranked as (

    select
        purchase_events.*,
        row_number() over (
            partition by purchase_events.order_id
            order by purchase_events.occurred_at, purchase_events.event_id
        ) as order_event_number

    from purchase_events

),

order_attributes as (

    {#- Who, what and where of the order: its first event (the cart add). -#}
    select
        order_id,
        user_id,
        course_id,
        platform,
        currency,
        amount as order_amount,
        amount_usd as order_amount_usd

    from events_ranked
    where order_event_number = 1

),

order_events_summarized as (

    select
        order_id,
        max(received_at) as last_received_at,
        min(
            case when event_type = 'cart_add' then occurred_at end
        ) as carted_at,
        count(
            case when event_type = 'purchase_attempt' then event_id end
        ) as attempts_count,
        count(
            case
                when
                    event_type = 'purchase_attempt'
                    and payment_status = 'failed'
                    then event_id
            end
        ) as failed_attempts_count,
        min(
            case
                when
                    event_type = 'purchase_attempt'
                    and payment_status = 'failed'
                    then occurred_at
            end
        ) as first_failed_at,
        min(
            case
                when event_type = 'transaction_completed' then occurred_at
            end
        ) as paid_at,
        coalesce(sum(
            case when event_type = 'transaction_completed' then amount end
        ), 0) as paid_amount,
        coalesce(sum(
            case
                when event_type = 'transaction_completed' then amount_usd
            end
        ), 0) as paid_amount_usd,
        min(
            case when event_type = 'refund' then occurred_at end
        ) as refunded_at,
        coalesce(sum(
            case when event_type = 'refund' then amount end
        ), 0) as refund_amount,
        coalesce(sum(
            case when event_type = 'refund' then amount_usd end
        ), 0) as refund_amount_usd

    from events_ranked
    group by 1

),

payment_methods as (

    {#- The paying method is the completed transaction's; the first and final
        attempts' methods fall back to it while an attempt is still on its
        way (a late event), so a paid order always has a method. -#}
    select
        events_ranked.order_id,
        max(
            case
                when
                    events_ranked.event_type = 'purchase_attempt'
                    and events_ranked.attempt_number = 1
                    then events_ranked.payment_method
            end
        ) as first_attempt_payment_method,
        max(
            case
                when
                    events_ranked.event_type = 'purchase_attempt'
                    and events_ranked.attempt_number
                    = order_events_summarized.attempts_count
                    then events_ranked.payment_method
            end
        ) as last_attempt_payment_method,
        max(
            case
                when events_ranked.event_type = 'transaction_completed'
                    then events_ranked.payment_method
            end
        ) as paid_payment_method

    from events_ranked
    inner join order_events_summarized
        on events_ranked.order_id = order_events_summarized.order_id
    where
        events_ranked.event_type in (
            'purchase_attempt', 'transaction_completed'
        )
    group by 1

),

failures_before_success as (

    select
        order_events_summarized.order_id,
        count(events_ranked.event_id) as failed_attempts_before_success_count

    from order_events_summarized
    left join events_ranked
        on
            order_events_summarized.order_id = events_ranked.order_id
            and events_ranked.event_type = 'purchase_attempt'
            and events_ranked.payment_status = 'failed'
            and order_events_summarized.paid_at > events_ranked.occurred_at
    where order_events_summarized.paid_at is not null
    group by 1

),

orders_joined as (

    select
        order_attributes.order_id,
        order_attributes.user_id,
        order_attributes.course_id,
        order_attributes.platform,
        order_events_summarized.carted_at,
        {{ to_reporting_date('order_events_summarized.carted_at') }}
            as carted_date,
        cast(order_events_summarized.attempts_count as integer)
            as attempts_count,
        cast(order_events_summarized.failed_attempts_count as integer)
            as failed_attempts_count,
        cast(
            failures_before_success.failed_attempts_before_success_count
            as integer
        ) as failed_attempts_before_success_count,
        order_events_summarized.first_failed_at,
        coalesce(
            payment_methods.first_attempt_payment_method,
            payment_methods.paid_payment_method
        ) as first_payment_method,
        coalesce(
            payment_methods.paid_payment_method,
            payment_methods.last_attempt_payment_method
        ) as final_payment_method,
        case
            when order_events_summarized.paid_at is not null
                then 'succeeded'
            when order_events_summarized.failed_attempts_count > 0
                then 'failed'
            else 'pending'
        end as payment_outcome,
        order_events_summarized.paid_at is not null as is_paid,
        order_events_summarized.paid_at,
        {{ to_reporting_date('order_events_summarized.paid_at') }}
            as paid_date,
        coalesce(
            failures_before_success.failed_attempts_before_success_count > 0,
            false
        ) as is_recovered,
        cast(
            case
                when
                    failures_before_success.failed_attempts_before_success_count
                    > 0
                    then {{ dbt.datediff(
                        'order_events_summarized.first_failed_at',
                        'order_events_summarized.paid_at',
                        'second'
                    ) }}
            end as bigint
        ) as seconds_to_recover,
        order_attributes.currency,
        cast(order_attributes.order_amount as decimal(18, 2))
            as order_amount,
        cast(order_attributes.order_amount_usd as decimal(18, 2))
            as order_amount_usd,
        cast(order_events_summarized.paid_amount as decimal(18, 2))
            as gross_amount,
        cast(order_events_summarized.paid_amount_usd as decimal(18, 2))
            as gross_amount_usd,
        order_events_summarized.refund_amount > 0 as is_refunded,
        (
            order_events_summarized.refund_amount > 0
            and order_events_summarized.paid_at is null
        ) as is_orphan_refund,
        cast(order_events_summarized.refund_amount as decimal(18, 2))
            as refund_amount,
        cast(order_events_summarized.refund_amount_usd as decimal(18, 2))
            as refund_amount_usd,
        order_events_summarized.refunded_at,
        {{ to_reporting_date('order_events_summarized.refunded_at') }}
            as refunded_date,
        {#- Net = paid - refunded, always: an orphan refund (no completed
            transaction, quarantined or still late) is minus the refund, so
            the order total equals the daily revenue total to the cent. -#}
        cast(
            order_events_summarized.paid_amount
            - order_events_summarized.refund_amount
            as decimal(18, 2)
        ) as net_revenue,
        cast(
            order_events_summarized.paid_amount_usd
            - order_events_summarized.refund_amount_usd
            as decimal(18, 2)
        ) as net_revenue_usd,
        order_events_summarized.last_received_at

    from order_attributes
    inner join order_events_summarized
        on order_attributes.order_id = order_events_summarized.order_id
    left join payment_methods
        on order_attributes.order_id = payment_methods.order_id
    left join failures_before_success
        on order_attributes.order_id = failures_before_success.order_id

)

select * from orders_joined
