{#- An incremental table, not a view: see doc col_raw_copies_count. -#}
{{ config(
    materialized='incremental',
    unique_key='event_id',
) }}

with

source as {{ not_materialized(full_build=true) }} (

    select *{{ row_locator() }}
    from {{ source('app', 'user_purchases') }}
    where {{ required_values_present('user_purchases') }}

),

first_received as (

    {{ deduplicate(
        relation='source',
        partition_by='event_id',
        order_by='received_at, occurred_at',
        restage_changed=true
    ) }}

),

renamed as (

    select
        event_id,
        order_id,
        user_id,
        course_id,
        lower(trim(event_type)) as event_type,
        amount,
        {#- ISO 4217 codes are upper case: the one exception to the
            lower(trim()) rule for enums. -#}
        upper(trim(currency)) as currency,
        lower(trim(payment_method)) as payment_method,
        lower(trim(payment_status)) as payment_status,
        lower(trim(failure_reason)) as failure_reason,
        {{ staged_platform('platform') }} as platform,
        {{ staged_timestamp('occurred_at') }} as occurred_at,
        {{ to_reporting_date(
            staged_timestamp('occurred_at')
        ) }} as occurred_date,
        received_at,
        raw_copies_count

    from first_received

)

select * from renamed
