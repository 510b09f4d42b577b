{% macro not_materialized(full_build=false) -%}
    {#- For the import CTE of an incremental model's source table, written
        `all_<rows> as {{ not_materialized() }} (` (`source as ...` in the
        event staging tables). An incremental run reads that CTE twice: once
        for the keys received since the watermark (is_reprocessed, or macro
        deduplicate with restage_changed), once for all rows of those keys.
        DuckDB materializes a CTE read twice, which copies the whole source
        table (every column of 3.6M sessions at 10M raw rows) before either
        filter runs; `not materialized` lets each read push its filter and its
        columns into the scan. Measured at 10M (one thread, the daily run's
        SQL): fct_app_sessions 1.5 -> 0.8 s, int_user_platform_days_aggregated
        1.5 -> 1.1 s, stg_app__user_app_sessions 0.90 -> 0.15 s,
        stg_app__user_course_interactions 0.53 -> 0.16 s. Left out where the
        two reads share more work than the copy costs (the funnel and
        navigation models measured slower). A full build reads the CTE once,
        and Spark has no such clause: both render nothing, except with
        full_build=true: the deduplicated staging models' import CTEs, which
        duckdb__deduplicate reads twice in every build, and the import CTEs of
        the pipeline reports (rpt_data_quality, int_unknown_references_counted,
        rpt_pipeline_late_events),
        tables whose checks read each staging table up to five times:
        materialized, each was copied whole, every column, before the first
        check. At 10M raw rows over 601 days, the daily run's SQL of
        rpt_data_quality took 0.48-1.08 s materialized and 0.24 s not (3
        runs each, same rows), rpt_pipeline_late_events 0.47 and 0.37 s.
        Also where an incremental run reads a wide table through one CTE in
        several places, each with a filter or a few columns:
        int_quiz_first_attempt_responses_totalled's responses (2.4M unnested
        rows copied, every column, for the responses of a few thousand
        attempts) took 1.07-1.73 s materialized and 0.26-0.59 s not, and
        int_engagement_days_aggregated's sessions (5.6M rows, every column,
        read for five) 0.31-0.34 s against 0.16 s (10M raw rows over 601
        days, the daily run's state, `create temp table` alone; same rows). -#}
    {%- if target.type == 'duckdb' and (full_build or is_incremental()) -%}
        not materialized
    {%- endif -%}
{%- endmacro %}
