{#- Each finding of a reporting day compared with the day before: new (not
    found the day before), ongoing (found both days) or resolved (found the
    day before, not on this day; a row of its own, with the previous day's
    evidence). Only the daily detectors run on every day, so only their
    findings can be compared; the whole-history detectors report on the
    latest complete day only and their findings are not_tracked. A finding
    is the same across days when detector, metric, entity and breakdown
    are (finding_key). -#}

{%- set daily_detectors = ['kpi_anomaly', 'payment_failure_jump'] -%}

with

recommendations as (

    select * from {{ ref('rpt_recommendations') }}

),

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

findings_keyed as (

    select
        {{ surrogate_key([
            'detector', 'metric', 'entity_type', 'entity_id', 'breakdown'
        ]) }} as finding_key,
        recommendations.*,
        recommendations.detector in (
            {%- for detector in daily_detectors %}
                '{{ detector }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as is_tracked_daily

    from recommendations

),

previous_day_findings as (

    select
        findings_keyed.*,
        cast(
            {{ dbt.dateadd('day', 1, 'findings_keyed.report_date') }} as date
        ) as compared_on_date

    from findings_keyed
    where findings_keyed.is_tracked_daily

),

findings_compared as (

    select
        coalesce(
            findings_keyed.report_date, previous_day_findings.compared_on_date
        ) as report_date,
        coalesce(
            findings_keyed.finding_key, previous_day_findings.finding_key
        ) as finding_key,
        findings_keyed.finding_id,
        previous_day_findings.finding_id as previous_day_finding_id,
        coalesce(findings_keyed.area, previous_day_findings.area) as area,
        coalesce(
            findings_keyed.detector, previous_day_findings.detector
        ) as detector,
        coalesce(findings_keyed.metric, previous_day_findings.metric) as metric,
        coalesce(
            findings_keyed.entity_type, previous_day_findings.entity_type
        ) as entity_type,
        coalesce(
            findings_keyed.entity_id, previous_day_findings.entity_id
        ) as entity_id,
        coalesce(
            findings_keyed.entity_name, previous_day_findings.entity_name
        ) as entity_name,
        coalesce(
            findings_keyed.breakdown, previous_day_findings.breakdown
        ) as breakdown,
        coalesce(
            findings_keyed.severity, previous_day_findings.severity
        ) as severity,
        coalesce(
            findings_keyed.severity_rank, previous_day_findings.severity_rank
        ) as severity_rank,
        case
            when findings_keyed.finding_key is null then 'resolved'
            when not findings_keyed.is_tracked_daily then 'not_tracked'
            when previous_day_findings.finding_key is null then 'new'
            else 'ongoing'
        end as change_status

    from findings_keyed
    full outer join previous_day_findings
        on
            findings_keyed.finding_key = previous_day_findings.finding_key
            and findings_keyed.report_date
            = previous_day_findings.compared_on_date
            and findings_keyed.is_tracked_daily

),

changes_on_reporting_days as (

    select
        {{ surrogate_key([
            'findings_compared.report_date', 'findings_compared.finding_key'
        ]) }} as finding_change_id,
        findings_compared.*

    from findings_compared
    inner join reporting_days
        on findings_compared.report_date = reporting_days.report_date

)

select * from changes_on_reporting_days
