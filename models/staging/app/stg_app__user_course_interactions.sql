{#- An incremental table, not a view (the house rule for staging): every model
    and test downstream reads this event table, and as a view each of them
    would deduplicate the whole raw table again. Delete+insert by event_id: a
    run restages only the keys whose raw copy count changed (macro
    deduplicate_changed), which is exactly what a full rebuild would change,
    with no lookback needed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='fail',
) }}

with

source as (

    select * from {{ source('app', 'user_course_interactions') }}

),

first_received as (

    {{ deduplicate_changed(
        relation='source',
        partition_by='event_id',
        order_by='received_at, occurred_at'
    ) }}

),

renamed as (

    select
        event_id,
        user_id,
        course_id,
        module_id,
        lower(trim(event_type)) as event_type,
        progress_percent,
        lower(trim(platform)) as platform,
        occurred_at,
        {{ to_reporting_date('occurred_at') }} as occurred_date,
        received_at,
        raw_copies_count

    from first_received

)

select * from renamed
