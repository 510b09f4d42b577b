{% macro deduplicate(relation, partition_by, order_by, restage_changed=false) -%}
    {#- Keep one row per `partition_by`: the first by `order_by`. Portable
        (row_number in a subquery rather than qualify).
        With restage_changed (the incremental event staging tables), each row
        also gets `raw_copies_count`, the number of raw rows carrying its key,
        and an incremental run deduplicates only the keys whose raw copy count
        differs from the one already staged (new keys, and keys with a new copy
        however late it was received or loaded). Raw tables are append only, so
        that is exactly the set of keys a full rebuild would change, and needs
        no lookback; the count is one group by over the key column. Where the
        watermark is exact (macro exact_watermark_available) the keys received
        after it are the same set, found without that group by. -#}
    select deduplicated.*
    from (
        select
            _rows.*,
            row_number() over (
                partition by _rows.{{ partition_by }}
                order by {{ order_by }}
            ) as _row_number
            {%- if restage_changed %},
            count(*) over (
                partition by _rows.{{ partition_by }}
            ) as raw_copies_count
            {%- endif %}
        from {{ relation }} as _rows
        {%- if restage_changed and is_incremental()
            and exact_watermark_available() %}
        {#- Every new copy came in a file loaded since this model's last
            build, so it was received after the exact watermark: restage
            the keys of those rows (all their copies), no group by. #}
        where _rows.{{ partition_by }} in (
            select new_rows.{{ partition_by }}
            from {{ relation }} as new_rows
            where new_rows.received_at > {{ incremental_watermark('received_at') }}
        )
        {%- elif restage_changed and is_incremental() %}
        where _rows.{{ partition_by }} in (
            select raw_keys.{{ partition_by }}
            from (
                select
                    {{ partition_by }},
                    count(*) as raw_copies_count
                from {{ relation }}
                group by {{ partition_by }}
            ) as raw_keys
            left join {{ this }} as staged
                on raw_keys.{{ partition_by }} = staged.{{ partition_by }}
            where
                staged.raw_copies_count is null
                or staged.raw_copies_count != raw_keys.raw_copies_count
        )
        {%- endif %}
    ) as deduplicated
    where deduplicated._row_number = 1
{%- endmacro %}
