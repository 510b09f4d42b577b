{#- Every MIS KPI per complete reporting day with its comparisons and a
    robust anomaly flag. The robust z-score compares the value with the same
    weekday of up to 8 earlier weeks: (value - median) / (1.4826 * MAD),
    MAD = median absolute deviation from that median; 1.4826 makes MAD
    estimate the standard deviation of normal data. It is null with fewer
    than 3 earlier weeks or a MAD of 0 (a flat history: no scale to judge
    by), and then the day is never an anomaly. -#}

{%- set history_weeks = 8 -%}
{%- set min_history_weeks = 3 -%}

with

kpis as (

    select * from {{ ref('int_daily_kpis_unioned') }}

),

kpi_history as (

    select * from {{ ref('int_daily_kpis_unioned') }}

),

kpis_compared as (

    select
        kpis.*,
        lag(kpis.value, 1) over (
            partition by kpis.kpi_name
            order by kpis.report_date
        ) as previous_day_value,
        lag(kpis.value, 7) over (
            partition by kpis.kpi_name
            order by kpis.report_date
        ) as same_weekday_last_week_value,
        avg(kpis.value) over (
            partition by kpis.kpi_name
            order by kpis.report_date
            rows between 28 preceding and 1 preceding
        ) as trailing_28d_avg

    from kpis

),

same_weekday_history as (

    select
        kpis.report_date,
        kpis.kpi_name,
        kpi_history.value as past_value

    from kpis
    inner join kpi_history
        on
            kpis.kpi_name = kpi_history.kpi_name
            and kpis.report_date > kpi_history.report_date
            and kpi_history.report_date
            >= {{ dbt.dateadd(
                'day', -7 * history_weeks, 'kpis.report_date'
            ) }}
            and {{ dbt.datediff(
                'kpi_history.report_date', 'kpis.report_date', 'day'
            ) }} % 7 = 0
    where kpi_history.value is not null

),

history_medians as (

    select
        report_date,
        kpi_name,
        count(*) as history_weeks_count,
        percentile_cont(0.5) within group (order by past_value)
            as history_median

    from same_weekday_history
    group by 1, 2

),

history_deviations as (

    select
        same_weekday_history.report_date,
        same_weekday_history.kpi_name,
        percentile_cont(0.5) within group (
            order by abs(
                same_weekday_history.past_value
                - history_medians.history_median
            )
        ) as history_mad

    from same_weekday_history
    inner join history_medians
        on
            same_weekday_history.report_date = history_medians.report_date
            and same_weekday_history.kpi_name = history_medians.kpi_name
    group by 1, 2

),

robust_z_computed as (

    select
        kpis_compared.*,
        coalesce(history_medians.history_weeks_count, 0)
            as history_weeks_count,
        history_medians.history_median,
        history_deviations.history_mad,
        case
            when
                history_medians.history_weeks_count >= {{ min_history_weeks }}
                and history_deviations.history_mad > 0
                then
                    (kpis_compared.value - history_medians.history_median)
                    / (1.4826 * history_deviations.history_mad)
        end as robust_z

    from kpis_compared
    left join history_medians
        on
            kpis_compared.report_date = history_medians.report_date
            and kpis_compared.kpi_name = history_medians.kpi_name
    left join history_deviations
        on
            kpis_compared.report_date = history_deviations.report_date
            and kpis_compared.kpi_name = history_deviations.kpi_name

),

deltas_computed as (

    select
        {{ surrogate_key(['report_date', 'kpi_name']) }} as daily_kpi_id,
        report_date,
        kpi_name,
        area,
        kpi_unit,
        kpi_order,
        is_higher_better,
        value,
        previous_day_value,
        same_weekday_last_week_value,
        trailing_28d_avg,
        (value - previous_day_value)
        / nullif(abs(previous_day_value), 0) as delta_vs_previous_day,
        (value - same_weekday_last_week_value)
        / nullif(abs(same_weekday_last_week_value), 0) as delta_vs_last_week,
        (value - trailing_28d_avg)
        / nullif(abs(trailing_28d_avg), 0) as delta_vs_trailing_28d,
        value - previous_day_value as change_vs_previous_day,
        value - same_weekday_last_week_value as change_vs_last_week,
        value - trailing_28d_avg as change_vs_trailing_28d,
        cast(history_weeks_count as integer) as history_weeks_count,
        history_median,
        history_mad,
        robust_z,
        coalesce(
            abs(robust_z) >= {{ var('behavior__anomaly_z_threshold') }},
            false
        ) as is_anomaly

    from robust_z_computed

),

anomalies_described as (

    select
        deltas_computed.*,
        case
            when deltas_computed.is_anomaly and deltas_computed.robust_z > 0
                then 'up'
            when deltas_computed.is_anomaly then 'down'
        end as anomaly_direction,
        deltas_computed.is_anomaly
        and (deltas_computed.robust_z > 0) != deltas_computed.is_higher_better
            as is_unfavorable_anomaly

    from deltas_computed

)

select * from anomalies_described
