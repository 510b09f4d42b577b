{#- rpt_mis_daily_kpis pivoted to one row per reporting day: for every KPI
    its value, comparisons, deltas, robust z-score and anomaly flag and
    direction, in columns named <kpi>, <kpi>_previous_day, ... -#}

{%- set kpis = mis_kpis() -%}
{%- set measures = [
    ('value', ''),
    ('previous_day_value', '_previous_day'),
    ('same_weekday_last_week_value', '_last_week'),
    ('trailing_28d_avg', '_trailing_28d_avg'),
    ('delta_vs_previous_day', '_delta_vs_previous_day'),
    ('delta_vs_last_week', '_delta_vs_last_week'),
    ('delta_vs_trailing_28d', '_delta_vs_trailing_28d'),
    ('robust_z', '_robust_z'),
    ('anomaly_direction', '_anomaly_direction'),
] -%}

with

daily_kpis as (

    select * from {{ ref('rpt_mis_daily_kpis') }}

),

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

kpis_pivoted as (

    select
        report_date,
        {%- for kpi in kpis %}
            {%- for column, suffix in measures %}
                max(
                    case when kpi_name = '{{ kpi[0] }}' then {{ column }} end
                ) as {{ kpi[0] }}{{ suffix }},
            {%- endfor %}
            coalesce({{ dbt.bool_or(
                "kpi_name = '" ~ kpi[0] ~ "' and is_anomaly"
            ) }}, false) as is_{{ kpi[0] }}_anomaly,
        {%- endfor %}
        count(case when is_anomaly then 1 end) as anomalies_count,
        count(case when is_unfavorable_anomaly then 1 end)
            as unfavorable_anomalies_count

    from daily_kpis
    group by 1

),

latest_day_flagged as (

    select
        kpis_pivoted.*,
        reporting_days.is_latest_complete_day

    from kpis_pivoted
    inner join reporting_days
        on kpis_pivoted.report_date = reporting_days.report_date

)

select * from latest_day_flagged
