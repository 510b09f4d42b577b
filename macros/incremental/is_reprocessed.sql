{% macro is_reprocessed(
    received_at_column, event_date_column, watermark_column='last_received_at'
) -%}
    {#- True for source rows an incremental run must reprocess: received after
        the watermark, or (on `behavior reprocess`) with an event date inside
        vars behavior__reprocess_from / behavior__reprocess_to. On a full build
        every row is reprocessed. -#}
    {%- if is_incremental() -%}
        (
            {{ received_at_column }} > {{ incremental_watermark(watermark_column) }}
            {%- if var('behavior__reprocess_from', none) %}
            or {{ event_date_column }} between
                cast('{{ var("behavior__reprocess_from") }}' as date)
                and cast('{{ var("behavior__reprocess_to") }}' as date)
            {%- endif %}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
