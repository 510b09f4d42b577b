{#- How many paid orders skip the funnel's wishlist step, by course.
    fct_purchase_funnel is a strict ordered funnel (click -> wishlist -> cart ->
    purchase), so a sale whose buyer never wishlisted the course drops out at the
    wishlist step while fct_purchases still counts it. This analysis sizes that gap.
    Compile with `dbt compile --select paid_orders_skipping_wishlist` and run the
    SQL in target/compiled. -#}
with

purchases as (

    select * from {{ ref('fct_purchases') }}

),

course_interactions as (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

wishlisted_before_paying as (

    select distinct purchases.order_id

    from purchases
    inner join course_interactions
        on
            purchases.user_id = course_interactions.user_id
            and purchases.course_id = course_interactions.course_id
            and course_interactions.event_type = 'wishlist_add'
            and purchases.paid_at >= course_interactions.occurred_at

    where purchases.is_paid

),

by_course as (

    select
        purchases.course_id,
        count(*) as paid_orders_count,
        count(wishlisted_before_paying.order_id) as wishlisted_orders_count,
        count(*)
        - count(wishlisted_before_paying.order_id) as skipped_wishlist_count,
        round(
            1.0 - count(wishlisted_before_paying.order_id) / count(*), 3
        ) as skipped_wishlist_share

    from purchases
    left join wishlisted_before_paying
        on purchases.order_id = wishlisted_before_paying.order_id

    where purchases.is_paid

    group by 1

)

select * from by_course
order by 4 desc
