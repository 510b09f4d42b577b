{% macro record_invocation(phase, results=none) -%}
    {{ return(adapter.dispatch('record_invocation', 'user_behavior')(phase, results)) }}
{%- endmacro %}

{% macro spark__record_invocation(phase, results=none) -%}
    {#- Spark target: nothing recorded. The record serves `behavior publish`,
        which copies a passed DuckDB build to the serving file; a Spark build
        is not published (and Parquet tables without Delta have no UPDATE). -#}
    select 1 as recorded
{%- endmacro %}

{% macro default__record_invocation(phase, results=none) -%}
    {#- The build status `behavior publish`, `serve-check` and `report` read, kept in
        the warehouse file itself (so it always describes this file, whatever
        target/ holds, and a `dbt compile`, `ls` or `docs generate`, which run no
        hooks, never count). on-run-start inserts one row per dbt command that
        writes or tests the warehouse, with status 'running'; on-run-end sets
        'passed' or 'failed' and the failing nodes. A build killed before its end
        stays 'running', which readers treat as not passed. -#}
    {%- if execute and runs_project_hooks() -%}
        {%- set relation = adapter.quote(target.database) ~ '.ops.dbt_invocations' -%}
        {%- if phase == 'start' -%}
            {%- set args = invocation_args_dict -%}
            {%- set selection = {
                'select': args.get('select') or [],
                'exclude': args.get('exclude') or [],
                'selector': args.get('selector'),
            } -%}
            {%- do run_query(
                'create schema if not exists '
                ~ adapter.quote(target.database) ~ '.ops'
            ) -%}
            {%- do run_query(
                'create table if not exists ' ~ relation ~ ' (
                    invocation_id varchar primary key,
                    command varchar not null,
                    selection varchar not null,
                    is_complete_selection boolean not null,
                    target_name varchar not null,
                    dbt_version varchar not null,
                    started_at timestamp not null,
                    finished_at timestamp,
                    status varchar not null,
                    nodes_count integer,
                    failed_nodes varchar[]
                )'
            ) -%}
            {%- set is_complete = not (
                selection['select'] or selection['exclude'] or selection['selector']
            ) -%}
            {%- do run_query(
                'insert into ' ~ relation ~ ' values ('
                ~ "'" ~ invocation_id ~ "', "
                ~ "'" ~ flags.WHICH ~ "', "
                ~ "'" ~ (tojson(selection) | replace("'", "''")) ~ "', "
                ~ (is_complete | string | lower) ~ ", "
                ~ "'" ~ (target.name | replace("'", "''")) ~ "', "
                ~ "'" ~ dbt_version ~ "', "
                ~ "'" ~ run_started_at_text() ~ "', "
                ~ "null, 'running', null, null)"
            ) -%}
        {%- else -%}
            {%- set failed = [] -%}
            {%- for result in results or [] -%}
                {%- if result.status in [
                    'error', 'fail', 'runtime error', 'skipped', 'partial success'
                ] -%}
                    {%- do failed.append(
                        (result.node.unique_id if result.node else 'hook')
                        ~ ' (' ~ result.status ~ ')'
                    ) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set failed_list = [] -%}
            {%- for item in failed -%}
                {%- do failed_list.append("'" ~ (item | replace("'", "''")) ~ "'") -%}
            {%- endfor -%}
            {%- do run_query(
                'update ' ~ relation ~ ' set '
                ~ "finished_at = '"
                ~ modules.datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M:%S.%f')
                ~ "', status = '" ~ ('failed' if failed else 'passed') ~ "', "
                ~ 'nodes_count = ' ~ ((results or []) | length) ~ ', '
                ~ 'failed_nodes = [' ~ (failed_list | join(', ')) ~ ']::varchar[] '
                ~ "where invocation_id = '" ~ invocation_id ~ "'"
            ) -%}
        {%- endif -%}
    {%- endif -%}
    select 1 as recorded
{%- endmacro %}
