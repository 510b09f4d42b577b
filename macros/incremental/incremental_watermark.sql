{% macro incremental_watermark(watermark_column='last_received_at') -%}
    {#- The received_at from which an incremental run reprocesses: the newest
        value of `watermark_column` already in this model minus the lookback
        (var behavior__incremental_lookback_hours). Rows received before it and
        loaded after the previous run are "beyond the lookback": they are counted
        in rpt_pipeline_late_events and picked up by `behavior reprocess`. -#}
    (
        select
            {{ dbt.dateadd(
                'hour',
                -1 * var('behavior__incremental_lookback_hours'),
                'max(' ~ watermark_column ~ ')'
            ) }}
        from {{ this }}
    )
{%- endmacro %}
