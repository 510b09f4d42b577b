{#- An incremental table, not a view: see doc col_raw_copies_count. -#}
{{ config(
    materialized='incremental',
    unique_key='session_id',
) }}

with

source as {{ not_materialized(full_build=true) }} (

    select *{{ row_locator() }}
    from {{ source('app', 'user_app_sessions') }}
    where {{ required_values_present('user_app_sessions') }}

),

first_received as (

    {{ deduplicate(
        relation='source',
        partition_by='session_id',
        order_by='received_at, opened_at',
        restage_changed=true
    ) }}

),

parsed as (

    select
        first_received.*,
        {{ parse_json_list(
            'first_received.navigation_history',
            '{"screen": "VARCHAR", "viewed_at": "VARCHAR"}'
        ) }} as navigation_steps_parsed,
        {{ list_transform(
            parse_json_list('first_received.features_used', '"VARCHAR"'),
            'feature',
            'lower(trim(feature))'
        ) }} as features_normalized

    from first_received

),

typed as (

    {#- The nested lists are parsed and normalized here, once, as DuckDB lists:
        the session mart measures them per row, and the flattened views
        (stg_app__session_screen_views, stg_app__session_features) unnest them.
        The JSON text itself stays in the raw table. -#}
    select
        session_id,
        user_id,
        {{ staged_platform('platform') }} as platform,
        app_version,
        {{ staged_timestamp('opened_at') }} as opened_at,
        {{ staged_timestamp('closed_at') }} as closed_at,
        closed_at is null as is_crashed,
        active_seconds,
        {{ to_reporting_date(staged_timestamp('opened_at')) }} as opened_date,
        {{ list_transform(
            'navigation_steps_parsed',
            'step',
            struct_pack([
                ('screen_name', staged_screen('step.screen')),
                ('viewed_at', iso_timestamp('step.viewed_at')),
            ])
        ) }} as navigation_steps,
        {{ list_sort(list_distinct('features_normalized')) }} as features_used,
        {#- Text that is not a JSON list stages as a null list; the row is
            kept, and flagged here (counted in rpt_data_quality). -#}
        (
            parsed.navigation_history is not null
            and parsed.navigation_steps_parsed is null
        )
        or (
            parsed.features_used is not null
            and parsed.features_normalized is null
        ) as has_unparsable_lists,
        {{ list_count(
            'navigation_steps_parsed', 'step', 'step.viewed_at is not null'
        ) }} as step_time_texts_count,
        received_at,
        raw_copies_count

    from parsed

),

final as (

    select
        session_id,
        user_id,
        platform,
        app_version,
        opened_at,
        closed_at,
        is_crashed,
        active_seconds,
        opened_date,
        navigation_steps,
        features_used,
        has_unparsable_lists,
        {#- A step whose time text does not parse keeps its screen, with a
            null time: the crash estimate skips it, fct_user_events times its
            screen view at the session's open. Counted, not parsed again: a
            parse never gives a time to a step without a text, so fewer
            times than texts means one did not parse. -#}
        coalesce(
            step_time_texts_count
            > {{ list_count(
                'navigation_steps', 'step', 'step.viewed_at is not null'
            ) }},
            false
        ) as has_unparsable_step_times,
        received_at,
        raw_copies_count

    from typed

)

select * from final
