{% macro get_where_subquery(relation) -%}
    {#- dbt's hook for the `where` config of data tests, extended for daily runs:
        with var behavior__test_recent_only true, a data test on a model whose
        meta names a `test_window_column` checks only the rows whose column is
        within var behavior__incremental_lookback_hours of its newest value:
        the rows the incremental run just rebuilt (older ones were checked by
        the run that built them). Off by default: `dbt build` tests every row;
        the daily run (`make daily`) turns it on through the environment
        (BEHAVIOR_TEST_RECENT_ONLY=true), read only at execution (`execute`),
        so the switch never invalidates dbt's partial-parse cache the way a
        changed --vars does. A test on a raw event table (a source with a
        loaded_at_field, received_at) is scoped the same way on that column.
        Tests that compare a model to another (relationships) still read all
        of the other one. Where the loader's audit says which files came since
        the last passed complete build (macro recent_rows_since), the window
        starts one second before their earliest received_at instead, a literal
        the engine can push down: exactly the rows loaded since. -#}
    {%- set filters = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set recent_only = var('behavior__test_recent_only', false)
        or (execute and env_var('BEHAVIOR_TEST_RECENT_ONLY', 'false') | lower in ('true', '1')) -%}
    {%- set column = none -%}
    {%- if recent_only and model.attached_node -%}
        {%- set tested = graph.nodes.get(model.attached_node) -%}
        {%- set column = tested.config.meta.get('test_window_column')
            if tested else none -%}
    {%- elif recent_only and model.depends_on -%}
        {#- A test on one raw event table (its columns_valid test) reads the
            rows received within the lookback, the ones this run staged. -#}
        {%- set parents = model.depends_on.nodes -%}
        {%- if parents | length == 1 and parents[0].startswith('source.') -%}
            {%- set tested = graph.sources.get(parents[0]) -%}
            {%- set column = tested.loaded_at_field if tested else none -%}
        {%- endif -%}
    {%- endif -%}
    {%- set since = recent_rows_since() if column else none -%}
    {%- if since is not none -%}
        {%- do filters.append(
            column ~ " > cast('" ~ since ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")"
        ) -%}
    {%- elif column -%}
        {%- do filters.append(
            column ~ ' > (select ' ~ dbt.dateadd(
                'hour',
                -1 * var('behavior__incremental_lookback_hours'),
                'max(' ~ column ~ ')'
            ) ~ ' from ' ~ relation ~ ')'
        ) -%}
    {%- endif -%}
    {%- if filters -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ filters | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{% macro recent_rows_since() -%}
    {#- The start of the daily tests' window, as a timestamp text, or none: one
        second before the earliest received_at of the event files loaded since
        the last passed complete `dbt build` / `dbt run` (ops.dbt_invocations,
        macro files_loaded_since); none (the lookback window applies) when
        there is no such build, no such file, or a file audited without
        min_received_at. Queried once per test at execution, DuckDB only. -#}
    {%- set invocations = adapter.get_relation(
        database=target.database, schema='ops', identifier='dbt_invocations'
    ) if execute and target.type == 'duckdb' else none -%}
    {%- if invocations is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set reference -%}
        select max(started_at)
        from {{ invocations }}
        where
            status = 'passed'
            and is_complete_selection
            and command in ('build', 'run')
    {%- endset -%}
    {{ return(files_loaded_since(reference).since) }}
{%- endmacro %}
