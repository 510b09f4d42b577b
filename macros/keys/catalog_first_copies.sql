{% macro catalog_first_copies(relation, key, columns) -%}
    {#- One row per `key` of a catalog staging model's `relation` (its renamed
        CTE): the copy that sorts first by `columns` (every column it selects,
        the key first, in the order of the raw contract; values as staging
        reads them, nulls last). The loader stores one copy per key (the first
        it received); another writer of raw can store a second. Copies that
        read the same (a re-sent snapshot, or a difference of case or spaces
        that staging removes) are one row; copies that differ are a data
        anomaly: the row keeps the first by that order, flagged
        has_conflicting_copies, and rpt_data_quality counts them
        (<table>_keys_with_conflicting_copies). No choice between two copies
        stops the build, and the rule is the same on every engine: no
        insertion order, which Spark does not keep.
        Adds raw_copies_count (the key's rows in raw that have every required
        value) and has_conflicting_copies. Catalog tables are small: three
        window passes over them cost nothing. -#}
    {%- set order_by -%}
        {%- for column in columns -%}
            _copies.{{ column }} nulls last{% if not loop.last %}, {% endif %}
        {%- endfor -%}
    {%- endset %}
    select
        {%- for column in columns %}
        _ranked.{{ column }},
        {%- endfor %}
        _ranked.raw_copies_count,
        {#- A second distinct copy of the key ranks 2. -#}
        _ranked.distinct_copies_count > 1 as has_conflicting_copies
    from (
        select
            _numbered.*,
            max(_numbered._copy_rank) over (
                partition by _numbered.{{ key }}
            ) as distinct_copies_count
        from (
            select
                _copies.*,
                row_number() over (
                    partition by _copies.{{ key }} order by {{ order_by }}
                ) as _copy_number,
                dense_rank() over (
                    partition by _copies.{{ key }} order by {{ order_by }}
                ) as _copy_rank,
                count(*) over (partition by _copies.{{ key }}) as raw_copies_count
            from {{ relation }} as _copies
        ) as _numbered
    ) as _ranked
    where _ranked._copy_number = 1
{%- endmacro %}
