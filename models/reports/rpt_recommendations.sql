{#- Every finding of every detector, keyed by finding_id. The daily
    detectors (KPI anomalies, payment failure jumps) have findings for every
    complete reporting day; the others look at the whole history and report
    on the latest complete day only. Each detector is one intermediate model
    in models/intermediate/reports with the same columns. -#}

{%- set detector_models = [
    'int_payment_failure_jumps_detected',
    'int_funnel_dropoffs_detected',
    'int_unbought_courses_detected',
    'int_unstarted_purchases_detected',
    'int_module_stalls_detected',
    'int_quiz_question_issues_detected',
    'int_cohort_retention_drops_detected',
    'int_feature_retention_lifts_detected',
    'int_churn_risk_users_detected',
] -%}
{%- set columns = [
    'report_date', 'area', 'detector', 'metric', 'entity_type', 'entity_id',
    'entity_name', 'breakdown', 'direction', 'finding', 'value', 'baseline',
    'effect_size', 'sample_size', 'test_statistic', 'p_value', 'severity',
    'recommended_action', 'contact_key',
] -%}

with

daily_kpis as (

    select * from {{ ref('rpt_mis_daily_kpis') }}

),

{% for model in detector_models %}
    {{ model }} as (

        select * from {{ ref(model) }}

    ),

{% endfor %}
kpi_anomalies as (

    select
        report_date,
        area,
        'kpi_anomaly' as detector,
        kpi_name as metric,
        'platform' as entity_type,
        'all' as entity_id,
        'whole app' as entity_name,
        'all platforms' as breakdown,
        anomaly_direction as direction,
        replace(kpi_name, '_', ' ') || ' was '
        || {{ format_kpi_value('value', 'kpi_unit') }}
        || ', unusually ' || case
            when anomaly_direction = 'up' then 'high' else 'low'
        end
        || ' against the median '
        || {{ format_kpi_value('history_median', 'kpi_unit') }}
        || ' of the same weekday in the '
        || cast(history_weeks_count as string)
        || ' weeks before (robust z ' || cast(round(robust_z, 1) as string)
        || ').' as finding,
        value,
        history_median as baseline,
        value - history_median as effect_size,
        cast(history_weeks_count as bigint) as sample_size,
        robust_z as test_statistic,
        cast(null as double) as p_value,
        case
            when abs(robust_z) >= {{ recommendation_threshold(
                'kpi_anomaly', 'high_abs_robust_z'
            ) }} and is_unfavorable_anomaly then 'high'
            when is_unfavorable_anomaly then 'medium'
            else 'low'
        end as severity,
        case
            when is_unfavorable_anomaly
                then
                    'Find what drove ' || kpi_name
                    || ' (platform, release, campaign, data load) and act '
                    || 'if it is real.'
            else
                'Good news if real: find what drove ' || kpi_name
                || ' and check it is not a tracking issue.'
        end as recommended_action,
        cast(null as string) as contact_key

    from daily_kpis
    where is_anomaly

),

findings_unioned as (

    select
        {{ columns | join(',\n        ') }}
    from kpi_anomalies
    {%- for model in detector_models %}

        union all

        select
            {{ columns | join(',\n        ') }}
        from {{ model }}
    {%- endfor %}

),

findings_keyed as (

    select
        {{ surrogate_key([
            'report_date', 'detector', 'metric', 'entity_type', 'entity_id',
            'breakdown'
        ]) }} as finding_id,
        report_date,
        area,
        detector,
        metric,
        entity_type,
        entity_id,
        entity_name,
        breakdown,
        direction,
        finding,
        cast(value as double) as value,  -- noqa: RF04
        cast(baseline as double) as baseline,
        cast(effect_size as double) as effect_size,
        cast(sample_size as bigint) as sample_size,
        cast(test_statistic as double) as test_statistic,
        cast(p_value as double) as p_value,
        severity,
        case severity when 'high' then 1 when 'medium' then 2 else 3 end
            as severity_rank,
        recommended_action,
        contact_key

    from findings_unioned

)

select * from findings_keyed
