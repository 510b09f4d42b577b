{#- Sign-up cohort retention after PostHog's retention insight (first-time
    retention, the cohort is the sign-up day or week). A return is an active
    day (fct_user_daily_activity) AFTER the sign-up day. For each cohort and
    period offset:
    - returned ON the period: active on that day (day offsets 1, 7, 14, 30)
      or in that week (week offsets 0..12; week 0 is the rest of the sign-up
      week);
    - returned ON OR AFTER the period: active on any day from the period's
      start on (PostHog's "on or after" / unbounded retention).
    Only periods that start within the data range get a row; is_complete
    tells whether the whole period lies within it (always true for days). -#}

{%- set day_offsets = [1, 7, 14, 30] %}
{%- set week_offsets = range(0, 13) | list %}

with

users as (

    select * from {{ ref('stg_app__users') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

days as (

    select * from {{ ref('util_days') }}

),

data_range as (

    select max(date_day) as last_date
    from days

),

offsets as (

    {%- for offset in day_offsets %}
        select
            'day' as cohort_granularity,
            {{ offset }} as period_offset
        union all
    {%- endfor %}
    {%- for offset in week_offsets %}
        select
            'week' as cohort_granularity,
            {{ offset }} as period_offset
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

user_cohorts as (

    select
        user_id,
        signed_up_date,
        cast(
            {{ dbt.date_trunc('week', 'signed_up_date') }} as date
        ) as signup_week
    from users

),

returns as (

    {#- Every active day after the sign-up day, with its day offset and the
        offset of its week from the sign-up week. -#}
    select
        user_cohorts.user_id,
        {{ dbt.datediff(
            'user_cohorts.signed_up_date',
            'user_daily_activity.activity_date',
            'day'
        ) }} as day_offset,
        cast(floor({{ dbt.datediff(
            'user_cohorts.signup_week',
            'user_daily_activity.activity_date',
            'day'
        ) }} / 7.0) as integer) as week_offset
    from user_cohorts
    inner join user_daily_activity
        on
            user_cohorts.user_id = user_daily_activity.user_id
            and user_cohorts.signed_up_date
            < user_daily_activity.activity_date

),

return_offsets as (

    select distinct
        user_id,
        'day' as cohort_granularity,
        day_offset as period_offset
    from returns
    where day_offset in ({{ day_offsets | join(', ') }})

    union all

    select distinct
        user_id,
        'week' as cohort_granularity,
        week_offset as period_offset
    from returns
    where week_offset <= {{ week_offsets | last }}

),

last_returns as (

    select
        user_id,
        max(day_offset) as last_day_offset,
        max(week_offset) as last_week_offset
    from returns
    group by 1

),

user_periods as (

    select
        user_cohorts.user_id,
        offsets.cohort_granularity,
        offsets.period_offset,
        case offsets.cohort_granularity
            when 'day' then user_cohorts.signed_up_date
            else user_cohorts.signup_week
        end as cohort_date,
        case offsets.cohort_granularity
            when 'day'
                then
                    {{ dbt.dateadd(
                        'day', 'offsets.period_offset',
                        'user_cohorts.signed_up_date'
                    ) }}
            else
                {{ dbt.dateadd(
                    'day', '7 * offsets.period_offset',
                    'user_cohorts.signup_week'
                ) }}
        end as period_start_date,
        case offsets.cohort_granularity
            when 'day'
                then
                    {{ dbt.dateadd(
                        'day', 'offsets.period_offset',
                        'user_cohorts.signed_up_date'
                    ) }}
            else
                {{ dbt.dateadd(
                    'day', '7 * offsets.period_offset + 6',
                    'user_cohorts.signup_week'
                ) }}
        end as period_end_date,
        return_offsets.user_id is not null as has_returned_on_period,
        coalesce(
            case offsets.cohort_granularity
                when 'day' then last_returns.last_day_offset
                else last_returns.last_week_offset
            end >= offsets.period_offset,
            false
        ) as has_returned_on_or_after_period
    from user_cohorts
    cross join offsets
    left join return_offsets
        on
            user_cohorts.user_id = return_offsets.user_id
            and offsets.cohort_granularity = return_offsets.cohort_granularity
            and offsets.period_offset = return_offsets.period_offset
    left join last_returns
        on user_cohorts.user_id = last_returns.user_id

),

cohorts_aggregated as (

    select
        user_periods.cohort_granularity,
        user_periods.cohort_date,
        user_periods.period_offset,
        cast(min(user_periods.period_start_date) as date)
            as period_start_date,
        cast(min(user_periods.period_end_date) as date) as period_end_date,
        count(*) as cohort_size,
        count(
            case when user_periods.has_returned_on_period then 1 end
        ) as returned_on_count,
        count(
            case when user_periods.has_returned_on_or_after_period then 1 end
        ) as returned_on_or_after_count
    from user_periods
    group by 1, 2, 3

),

final as (

    select
        {{ surrogate_key([
            'cohorts_aggregated.cohort_granularity',
            'cohorts_aggregated.cohort_date',
            'cohorts_aggregated.period_offset'
        ]) }} as retention_cohort_id,
        cohorts_aggregated.cohort_granularity,
        cohorts_aggregated.cohort_date,
        cast(cohorts_aggregated.period_offset as integer) as period_offset,
        cohorts_aggregated.period_start_date,
        cohorts_aggregated.period_end_date,
        cohorts_aggregated.period_end_date <= data_range.last_date
            as is_complete,
        cast(cohorts_aggregated.cohort_size as integer) as cohort_size,
        cast(cohorts_aggregated.returned_on_count as integer)
            as returned_on_count,
        cast(cohorts_aggregated.returned_on_or_after_count as integer)
            as returned_on_or_after_count,
        cast(cohorts_aggregated.returned_on_count as double)
        / cohorts_aggregated.cohort_size as returned_on_rate,
        cast(cohorts_aggregated.returned_on_or_after_count as double)
        / cohorts_aggregated.cohort_size as returned_on_or_after_rate
    from cohorts_aggregated
    cross join data_range
    where cohorts_aggregated.period_start_date <= data_range.last_date

)

select * from final
