{% macro incremental_watermark(watermark_column='last_received_at') -%}
    {#- The received_at from which an incremental run reprocesses.

        Exact (DuckDB warehouse loaded by `behavior load`): the newest value of
        `watermark_column` already in this model, or, when earlier, the
        earliest received_at of the files loaded since this model's previous
        build (raw._load_files.min_received_at, against the build time its
        post-hook keeps in ops.incremental_builds). A file loaded out of
        received order is reprocessed from its own earliest row, and a daily
        run reprocesses the new day only.

        Lookback (fallback): the newest value minus
        var behavior__incremental_lookback_hours, when that record is not
        there: the sample seeds, Spark, unit tests, a model's first run after
        an upgrade, or a file audited without min_received_at. Rows received
        before it and loaded after the previous run are "beyond the lookback":
        counted in rpt_pipeline_late_events, picked up by `behavior reprocess`. -#}
    {%- set newest = 'max(' ~ watermark_column ~ ')' -%}
    {%- set lookback = dbt.dateadd(
        'hour', -1 * var('behavior__incremental_lookback_hours'), newest
    ) -%}
    {%- set builds = incremental_builds_relation() -%}
    {%- set audit = load_audit_relation() -%}
    {%- if builds is none or audit is none %}
    (
        select {{ lookback }}
        from {{ this }}
    )
    {%- else %}
    (
        with previous_build as (
            select max(run_started_at) as built_at
            from {{ builds }}
            where model_name = '{{ this.identifier }}'
        ),

        loaded_since as (
            select
                min(audit.min_received_at) as min_received_at,
                count(*) filter (
                    where audit.min_received_at is null
                ) as unknown_files_count
            from {{ audit }} as audit
            cross join previous_build
            where
                audit.finished_at >= previous_build.built_at
                and audit.rows_loaded > 0
                and audit.table_name in ({{ received_at_tables() }})
        )

        select
            case
                when max(previous_build.built_at) is null
                    or max(loaded_since.unknown_files_count) > 0
                    then {{ lookback }}
                {#- Callers keep rows received after the watermark: one
                    second before the file's earliest row keeps that row. -#}
                else least(
                    {{ newest }},
                    coalesce(
                        {{ dbt.dateadd(
                            'second', -1, 'max(loaded_since.min_received_at)'
                        ) }},
                        {{ newest }}
                    )
                )
            end
        from {{ this }}
        cross join previous_build
        cross join loaded_since
    )
    {%- endif %}
{%- endmacro %}


{% macro exact_watermark_available() -%}
    {#- True when incremental_watermark is exact for this model in this run (the
        record of its previous build is there, and every file loaded since has
        its min_received_at); decided with one query at execution. -#}
    {%- set builds = incremental_builds_relation() -%}
    {%- set audit = load_audit_relation() -%}
    {%- if builds is none or audit is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set query -%}
        with previous_build as (
            select max(run_started_at) as built_at
            from {{ builds }}
            where model_name = '{{ this.identifier }}'
        )
        select
            max(previous_build.built_at) is not null
            and count(audit.table_name) = 0 as is_exact
        from previous_build
        left join {{ audit }} as audit
            on
                audit.finished_at >= previous_build.built_at
                and audit.rows_loaded > 0
                and audit.table_name in ({{ received_at_tables() }})
                and audit.min_received_at is null
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
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
    {#- raw._load_files with its min_received_at column (`behavior load`), else none. -#}
    {%- if not execute or target.type != 'duckdb' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='raw', identifier='_load_files'
    ) -%}
    {%- if relation is none -%}
        {{ return(none) }}
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


{% macro create_incremental_builds_table() -%}
    {#- on-run-start (before any model runs, so concurrent models never race to
        create it): the table record_incremental_build writes. DuckDB only. -#}
    {%- if execute and target.type == 'duckdb' -%}
        create schema if not exists {{ adapter.quote(target.database) }}.ops;
        create table if not exists {{ adapter.quote(target.database) }}.ops.incremental_builds (
            model_name varchar not null,
            invocation_id varchar not null,
            run_started_at timestamp not null
        )
    {%- else -%}
        select 1 as nothing_to_create
    {%- endif -%}
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
            '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'
        )
    {%- endif -%}
{%- endmacro %}
