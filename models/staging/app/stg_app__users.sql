{#- A table, not a view: about ten models and tests read the users, and as a
    view each read deduplicated every raw version again (bench/profile-2026-12-07.md).
    Rebuilt whole on every run, from every version. -#}
{{ config(materialized='table') }}

with

source as {{ not_materialized(full_build=true) }} (

    select *{{ row_locator() }}
    from {{ source('app', 'users') }}
    where {{ required_values_present('users') }}

),

latest_version as (

    {{ deduplicate(
        relation='source',
        partition_by='user_id',
        order_by='updated_at desc'
    ) }}

),

renamed as (

    select
        user_id,
        contact_key,
        contact_key is not null as has_email,
        has_phone,
        upper(trim(country_code)) as country_code,
        lower(trim(acquisition_channel)) as acquisition_channel,
        {{ staged_platform('platform') }} as platform,
        device_model,
        {{ staged_timestamp('signed_up_at') }} as signed_up_at,
        {{ to_reporting_date(
            staged_timestamp('signed_up_at')
        ) }} as signed_up_date,
        {{ staged_timestamp('installed_at') }} as installed_at,
        {{ staged_timestamp('uninstalled_at') }} as uninstalled_at,
        {{ staged_timestamp('reinstalled_at') }} as reinstalled_at,
        case
            when
                uninstalled_at is not null
                and (reinstalled_at is null or reinstalled_at < uninstalled_at)
                then 'uninstalled'
            when reinstalled_at is not null then 'reinstalled'
            when installed_at is not null then 'installed'
            else 'never_installed'
        end as install_state,
        {{ staged_timestamp('last_seen_at') }} as last_seen_at,
        updated_at as record_updated_at

    from latest_version

)

select * from renamed
