{#- An incremental table, not a view: see doc col_raw_copies_count. -#}
{{ config(
    materialized='incremental',
    unique_key='event_id',
) }}

with

source as {{ not_materialized(full_build=true) }} (

    select *{{ row_locator() }}
    from {{ source('app', 'user_course_interactions') }}
    where {{ required_values_present('user_course_interactions') }}

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
        user_id,
        course_id,
        module_id,
        lower(trim(event_type)) as event_type,
        progress_percent,
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
