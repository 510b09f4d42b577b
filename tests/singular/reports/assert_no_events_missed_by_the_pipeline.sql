{#- No staged event is missing from the first model built from it
    (rpt_pipeline_late_events.missed_events_count: sessions, course
    interactions, quiz attempts, purchase events). Returns the tables with
    missed events.
    An error on the complete sample (target sample, CI: every build there is
    a full one, so a missed event is our logic's). A warning on a loaded
    warehouse, where the lookback fallback of macro incremental_watermark
    can miss an event loaded after the watermark passed its received_at
    (a file from a loader without the load record, another writer of raw):
    counted in the report, taken in by `behavior reprocess`, and not a
    reason to stop the build. The revenue reconciliations compare the marts
    with the events they were built from for the same reason. -#}
{{ config(severity=('error' if target.name == 'sample' else 'warn')) }}

with

pipeline_late_events as (

    select * from {{ ref('rpt_pipeline_late_events') }}

),

missed as (

    select
        event_table,
        missed_events_count

    from pipeline_late_events
    where missed_events_count != 0

)

select * from missed
