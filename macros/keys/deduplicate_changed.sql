{% macro deduplicate_changed(relation, partition_by, order_by) -%}
    {#- Like deduplicate(): one row per `partition_by` key, the first by
        `order_by`, plus `raw_copies_count`, the number of raw rows carrying the
        key. In an incremental run only keys whose raw copy count differs from
        the one already staged are deduplicated again (new keys, and keys with a
        new copy, however late it was received or loaded): raw tables are append
        only, so this is exactly the set of keys a full rebuild would change.
        The count is one group by over the key column, far cheaper than the
        window over every column of every row it replaces. -#}
    select deduplicated.*
    from (
        select
            _rows.*,
            row_number() over (
                partition by _rows.{{ partition_by }}
                order by {{ order_by }}
            ) as _row_number,
            count(*) over (
                partition by _rows.{{ partition_by }}
            ) as raw_copies_count
        from {{ relation }} as _rows
        {%- if is_incremental() %}
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
