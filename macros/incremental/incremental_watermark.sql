{% macro incremental_watermark(watermark_column='last_received_at') -%}
    {#- The received_at from which an incremental run reprocesses, as a scalar
        subquery on this model.

        Exact (DuckDB warehouse loaded by `behavior load`): the newest value of
        `watermark_column` already in this model, or, when earlier, one second
        before the earliest received_at of the files loaded since this model's
        previous build (macro files_loaded_since, against the build time its
        post-hook keeps in ops.incremental_builds): a literal. A file loaded
        out of received order is reprocessed from its own earliest row, and a
        daily run reprocesses the new day only.

        Lookback (fallback): the newest value not after the start of this
        run, minus var behavior__incremental_lookback_hours, when that record
        is not there: the sample seeds, Spark, unit tests, a model's first run
        after an upgrade, or a file audited without min_received_at. Rows
        received before it and loaded after the previous run are "beyond the
        lookback": counted in rpt_pipeline_late_events, picked up by
        `behavior reprocess`. A received time after the run's start (a
        collector clock error, stored by another writer than the loader, which
        refuses it) does not count as the newest: one in the year 9999 would
        put every later row beyond the lookback. Such a row is above the
        watermark, so each run reprocesses it again (counted in
        rpt_data_quality, *_received_after_the_build). -#}
    {%- set newest = 'max(' ~ watermark_column ~ ')' -%}
    {%- set loaded = model_files_loaded_since() -%}
    {%- if not loaded.exact -%}
        {%- set newest_received = 'max(case when ' ~ watermark_column ~ ' <= '
            ~ run_started_at_literal() ~ ' then ' ~ watermark_column ~ ' end)' -%}
        {#- An empty table (no rows at its first build, say no quiz attempt
            yet) has no newest value: every row is new to it. Without the
            coalesce the watermark is null, no row is ever above it, and the
            table stays empty until a full build. -#}
        {%- set watermark = 'coalesce(' ~ dbt.dateadd(
            'hour', -1 * var('behavior__incremental_lookback_hours'),
            newest_received
        ) ~ ", cast('1900-01-01' as " ~ api.Column.translate_type('timestamp')
            ~ '))' -%}
    {%- elif loaded.since is none -%}
        {%- set watermark = newest -%}
    {%- else -%}
        {%- set watermark = 'least(' ~ newest ~ ", cast('" ~ loaded.since
            ~ "' as " ~ api.Column.translate_type('timestamp') ~ '))' -%}
    {%- endif -%}
    (select {{ watermark }} from {{ this }})
{%- endmacro %}


{% macro exact_watermark_available() -%}
    {#- True when incremental_watermark is exact for this model in this run. -#}
    {{ return(model_files_loaded_since().exact) }}
{%- endmacro %}


{% macro model_files_loaded_since() -%}
    {#- files_loaded_since this model's previous build (ops.incremental_builds). -#}
    {%- set builds = incremental_builds_relation() -%}
    {%- if builds is none -%}
        {{ return({'exact': false, 'since': none}) }}
    {%- endif -%}
    {%- set reference -%}
        select max(run_started_at)
        from {{ builds }}
        where model_name = '{{ this.identifier }}'
    {%- endset -%}
    {{ return(files_loaded_since(reference)) }}
{%- endmacro %}


{% macro files_loaded_since(reference_query) -%}
    {#- The event files loaded since a reference time, from the loader's audit
        (raw._load_files), queried once at execution. `reference_query`
        selects that time (one row, one column; null when there is none).
        Returns {'exact': whether every such file is known, 'since': one second
        before their earliest received_at as text, or none when no file came}.
        exact is false when there is no audit, no reference time, or a file
        audited without min_received_at (an older loader): callers then fall
        back to the lookback window. -#}
    {%- set audit = load_audit_relation() -%}
    {%- if audit is none -%}
        {{ return({'exact': false, 'since': none}) }}
    {%- endif -%}
    {%- set query -%}
        with reference as (
            select ({{ reference_query }}) as reference_time
        )
        select
            max(reference.reference_time) is not null
            and count(audit.table_name) filter (
                where audit.min_received_at is null
            ) = 0 as is_exact,
            strftime(
                {{ dbt.dateadd('second', -1, 'min(audit.min_received_at)') }},
                '%Y-%m-%d %H:%M:%S.%f'
            ) as since
        from reference
        left join {{ audit }} as audit
            on
                audit.finished_at >= reference.reference_time
                and audit.rows_loaded > 0
                and audit.table_name in ({{ received_at_tables() }})
    {%- endset -%}
    {%- set row = run_query(query).rows[0] -%}
    {{ return({'exact': row[0], 'since': row[1] if row[0] else none}) }}
{%- endmacro %}


{% macro incremental_builds_relation() -%}
    {#- ops.incremental_builds when this run can use it, else none. -#}
    {%- if not execute or target.type != 'duckdb' or model.resource_type == 'unit_test' -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(
        database=target.database, schema='ops', identifier='incremental_builds'
    )) }}
{%- endmacro %}


{% macro load_audit_relation() -%}
    {#- raw._load_files with its min_received_at column (`behavior load`), else none.
        A command that runs the project's hooks has had the column added by
        on-run-start (macro prepare_watermark_tables) if an older loader wrote the
        table without it, so only the others (`dbt compile`, `show`) look the
        columns up: a daily run saved one `describe` per incremental model and per
        windowed test, about 70 statements. -#}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='raw', identifier='_load_files'
    ) -%}
    {%- if relation is none or runs_project_hooks() -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {{ return(relation if 'min_received_at' in names else none) }}
{%- endmacro %}


{% macro received_at_tables() -%}
    {#- The raw tables whose rows carry received_at (their loaded_at_field), quoted. -#}
    {%- set names = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- if source.source_name == 'app' and source.loaded_at_field == 'received_at' -%}
            {%- do names.append("'" ~ source.name ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names | sort | join(', ')) }}
{%- endmacro %}


{% macro prepare_watermark_tables() -%}
    {#- on-run-start (before any model runs, so concurrent models never race to
        create it): the table record_incremental_build writes, and the loader's
        audit given the min_received_at column an older loader did not write
        (`behavior load` adds it the same way; its rows stay null, so the files
        they describe fall back to the lookback), so that load_audit_relation
        need not look for it in every node. DuckDB only. -#}
    {%- if execute and target.type == 'duckdb' -%}
        {#- No introspection here: a lookup of the raw schema, which dbt does not
            cache, would open a transaction that the hook's statements then join
            and dbt rolls back. -#}
        create schema if not exists {{ adapter.quote(target.database) }}.ops;
        create table if not exists {{ adapter.quote(target.database) }}.ops.incremental_builds (
            model_name varchar not null,
            invocation_id varchar not null,
            run_started_at timestamp not null
        );
        alter table if exists {{ adapter.quote(target.database) }}.raw._load_files
            add column if not exists min_received_at timestamp
    {%- else -%}
        select 1 as nothing_to_create
    {%- endif -%}
{%- endmacro %}


{% macro runs_project_hooks() -%}
    {#- True in the dbt commands that run on-run-start and on-run-end. -#}
    {{ return(flags.WHICH in ['build', 'run', 'seed', 'snapshot', 'test']) }}
{%- endmacro %}


{% macro record_incremental_build() -%}
    {#- Post-hook of every model (dbt_project.yml); writes for the incremental
        ones, inside the model's transaction: the start of the run that built
        it, the reference time incremental_watermark compares file loads with.
        DuckDB only. -#}
    {%- if execute and target.type == 'duckdb'
        and config.get('materialized') == 'incremental' -%}
        insert into {{ adapter.quote(target.database) }}.ops.incremental_builds values (
            '{{ this.identifier }}',
            '{{ invocation_id }}',
            '{{ run_started_at_text() }}'
        )
    {%- endif -%}
{%- endmacro %}
