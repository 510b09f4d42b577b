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
        Rules that compare a model to another (relationship) still read all
        of the other one; a singular test scopes the rows it checks with
        recent_rows(). Where the loader's audit says which files came since
        the last passed complete build (macro recent_rows_since), the window
        starts one second before their earliest received_at instead, a literal
        the engine can push down: exactly the rows loaded since. A model whose
        meta also says `test_window: latest_build` (its window column is the
        time of the run that wrote the row, built_at) is checked on the rows
        of its newest value: the rows the last run that wrote it rebuilt,
        whatever their received times. -#}
    {%- set filters = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set column = none -%}
    {%- set latest = false -%}
    {%- set tested = tested_model() -%}
    {%- if recent_only_tests() and tested -%}
        {%- set column = tested.config.meta.get('test_window_column') -%}
        {%- set latest = tested.config.meta.get('test_window') == 'latest_build' -%}
    {%- elif recent_only_tests() and model.depends_on -%}
        {#- A test on one raw event table (its columns_valid test) reads the
            rows received within the lookback, the ones this run staged. -#}
        {%- set parents = model.depends_on.nodes -%}
        {%- if parents | length == 1 and parents[0].startswith('source.') -%}
            {%- set tested = graph.sources.get(parents[0]) -%}
            {%- set column = tested.loaded_at_field if tested else none -%}
        {%- endif -%}
    {%- endif -%}
    {%- if column -%}
        {%- do filters.append(recent_rows_filter(relation, column, latest)) -%}
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


{% macro recent_only_tests() -%}
    {#- True in the daily run: var behavior__test_recent_only, or the
        environment's BEHAVIOR_TEST_RECENT_ONLY (read at execution only). -#}
    {{ return(
        var('behavior__test_recent_only', false)
        or (execute and env_var('BEHAVIOR_TEST_RECENT_ONLY', 'false') | lower in ('true', '1'))
    ) }}
{%- endmacro %}


{% macro recent_rows_filter(relation, column, latest=false) -%}
    {#- The daily tests' window on `column` of `relation`, as a predicate:
        with `latest` (meta test_window: latest_build) the rows of the
        column's newest value; otherwise from recent_rows_since() when the
        loader's audit gives it, else the lookback hours before the column's
        newest value. -#}
    {%- if latest -%}
        {{ return(column ~ ' >= (select max(' ~ column ~ ') from ' ~ relation ~ ')') }}
    {%- endif -%}
    {%- set since = recent_rows_since() -%}
    {%- if since is not none -%}
        {{ return(column ~ " > cast('" ~ since ~ "' as " ~ api.Column.translate_type('timestamp') ~ ")") }}
    {%- endif -%}
    {{ return(
        column ~ ' > (select ' ~ dbt.dateadd(
            'hour',
            -1 * var('behavior__incremental_lookback_hours'),
            'max(' ~ column ~ ')'
        ) ~ ' from ' ~ relation ~ ')'
    ) }}
{%- endmacro %}


{% macro recent_rows(relation) -%}
    {#- For a singular test, the rows of `relation` (a ref) that a generic test
        on its model would read: in the daily run, the rows inside the window
        on the column its model's meta names as test_window_column (the rows
        the run rebuilt); otherwise, or without such a column, all of them.
        Use it for the rows a test checks, not for the rows it looks up. -#}
    {%- set found = namespace(column=none, latest=false) -%}
    {%- if execute and recent_only_tests() -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.alias == relation.identifier
                and node.schema == relation.schema -%}
            {%- set found.column = node.config.meta.get('test_window_column') -%}
            {%- set found.latest = node.config.meta.get('test_window') == 'latest_build' -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if found.column -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ recent_rows_filter(relation, found.column, found.latest) }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}


{% macro tested_model() -%}
    {#- The model node a generic data test is attached to, or none (a test on
        a source, a singular test, outside a test). In a macro, `model` is the
        node being compiled, here the test; inside a generic test's body it is
        shadowed by the relation under test, which in a daily run is already
        a filtered subquery with no name to look its node up by. -#}
    {%- set attached = model.attached_node if execute and model is mapping else none -%}
    {{ return(graph.nodes.get(attached) if attached else none) }}
{%- endmacro %}
