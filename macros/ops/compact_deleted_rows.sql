{% macro compact_deleted_rows(results) -%}
    {{ return(adapter.dispatch('compact_deleted_rows', 'user_behavior')(results)) }}
{%- endmacro %}

{% macro default__compact_deleted_rows(results) -%}
    {#- Spark: its incremental models overwrite partitions; nothing to compact. -#}
    select 1 as compacted
{%- endmacro %}

{% macro duckdb__compact_deleted_rows(results) -%}
    {#- on-run-end, before the build status is recorded: rewrites each
        incremental model's table whose deleted rows are more than var
        behavior__compact_deleted_share (0.25) of its stored rows.

        Why: the profile turns DuckDB's vacuum off (max_vacuum_tasks 0). An
        incremental model deletes the rows it rebuilds, spread over the whole
        table (a user's sessions, periods or days sit anywhere in it), and
        at each checkpoint DuckDB merged row groups those deletes had
        thinned; a merge renumbers every row group after it, which rewrites
        them all: a third of a second for the 3.7M sessions at 10M raw rows,
        whatever the number of rows deleted. Without it the deleted rows stay
        in the file, marked deleted, and scans skip them; this macro bounds
        them instead, once they are a quarter of a table's stored rows.

        A compaction (after a checkpoint, so that the copies start a row
        group of their own) copies the table's live rows to its end and
        deletes every row stored before them, in one transaction: the
        emptied row groups are dropped at the next checkpoint, the table keeps its
        constraints and comments, and no copy is held in memory. The rows
        are the same; only their order changes. A table's stored rows
        (deleted ones included) are duckdb_tables().estimated_size. -#}
    {%- set tables = [] -%}
    {%- for result in (results or [])
        if execute and flags.WHICH in ['build', 'run']
        and result.node and result.node.resource_type == 'model'
        and result.node.config.materialized == 'incremental'
        and result.status == 'success' -%}
        {%- do tables.append(result.node) -%}
    {%- endfor -%}
    {%- if tables -%}
        {%- set share = var('behavior__compact_deleted_share') | float -%}
        {%- set query -%}
            {%- for node in tables %}
            select
                '{{ node.relation_name | replace("'", "''") }}' as relation_name,
                (
                    select estimated_size
                    from duckdb_tables()
                    where
                        database_name = '{{ node.database }}'
                        and schema_name = '{{ node.schema }}'
                        and table_name = '{{ node.alias }}'
                ) as stored_rows,
                (select count(*) from {{ node.relation_name }}) as live_rows
            {% if not loop.last %}union all{% endif %}
            {%- endfor %}
        {%- endset -%}
        {%- set bloated = [] -%}
        {%- for row in run_query(query).rows
            if row[1] and row[1] - row[2] > share * row[1] -%}
            {%- do bloated.append(row) -%}
        {%- endfor -%}
        {%- if bloated -%}
            {#- Rows appended after a checkpoint start a new row group: so the
                copies share none with the rows they replace, and every old
                row group ends up empty. -#}
            {%- do run_query('checkpoint') -%}
        {%- endif -%}
        {%- for row in bloated -%}
            {%- do log(
                'Compacting ' ~ row[0] ~ ': ' ~ (row[1] - row[2])
                ~ ' of ' ~ row[1] ~ ' stored rows deleted', info=false
            ) -%}
            {%- do run_query(
                'begin transaction; '
                ~ 'create temporary table _compacted_bound as '
                ~ 'select max(rowid) as max_rowid from ' ~ row[0] ~ '; '
                ~ 'insert into ' ~ row[0] ~ ' select * from ' ~ row[0] ~ '; '
                ~ 'delete from ' ~ row[0] ~ ' where rowid <= '
                ~ '(select max_rowid from _compacted_bound); '
                ~ 'drop table _compacted_bound; '
                ~ 'commit;'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as compacted
{%- endmacro %}
