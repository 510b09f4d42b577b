{#- The install history, flattened from every version of the user records:
    each version carries the first install and the latest uninstall and
    reinstall as of its writing, so the union over versions has every cycle. -#}
{#- A table, not a view: five models and two tests read it, and as a view
    each read flattened every raw version again (bench/profile-2026-12-07.md).
    Rebuilt whole on every run. -#}
{{ config(materialized='table') }}

with

source as (

    select * from {{ source('app', 'users') }}
    where {{ required_values_present('users') }}

),

installs as (

    select
        user_id,
        'install' as install_event_type,
        {{ staged_timestamp('installed_at') }} as occurred_at
    from source
    where installed_at is not null

),

uninstalls as (

    select
        user_id,
        'uninstall' as install_event_type,
        {{ staged_timestamp('uninstalled_at') }} as occurred_at
    from source
    where uninstalled_at is not null

),

reinstalls as (

    select
        user_id,
        'reinstall' as install_event_type,
        {{ staged_timestamp('reinstalled_at') }} as occurred_at
    from source
    where reinstalled_at is not null

),

unioned as (

    select * from installs
    union
    select * from uninstalls
    union
    select * from reinstalls

),

final as (

    select
        {{ surrogate_key(['user_id', 'install_event_type', 'occurred_at']) }}
            as install_event_id,
        user_id,
        install_event_type,
        occurred_at,
        {{ to_reporting_date('occurred_at') }} as occurred_date

    from unioned

)

select * from final
