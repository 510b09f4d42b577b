{% materialization table, adapter='duckdb', supported_languages=['sql'] %}
    {#- dbt-duckdb's table materialization builds <name>__dbt_tmp, renames the
        old table to a backup and the new one into place, commits, then drops
        the backup: with an index lookup and two column lookups for the
        comments, 15 statements for a contracted mart (9 here), each 4-6 ms of
        dbt's Python around it. DuckDB's DDL is transactional, so this one
        drops and creates the table under its own name inside the model's
        transaction, as the adapter itself does for a table with foreign keys:
        readers see the old table until the commit, and a failed create or
        insert (a broken contract constraint) rolls back to it. Views reading
        the table are not bound to it in DuckDB and survive the drop. SQL models
        only (the project has no Python model); Spark keeps its adapter's
        table. -#}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}
    {%- do adapter.ensure_transaction() -%}

    {%- if existing_relation is not none -%}
        {%- do adapter.drop_relation(existing_relation) -%}
    {%- endif -%}

    {%- call statement('main') -%}
        {{ create_table_as(False, target_relation, compiled_code) }}
    {%- endcall -%}

    {%- do create_indexes(target_relation) -%}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {%- do apply_grants(
        target_relation,
        config.get('grants'),
        should_revoke=should_revoke(existing_relation, full_refresh_mode=True)
    ) -%}
    {%- do persist_docs(target_relation, model) -%}

    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% macro duckdb__persist_docs(relation, model, for_relation=true, for_columns=true) -%}
    {#- dbt's persist_docs on DuckDB (this project's table materialization and
        dbt-duckdb's incremental and view ones call it). dbt's own comments the
        table in one statement and its columns in another, after two column
        lookups (dbt's and the adapter's) that keep a documented column the
        table lacks from failing the comment. Here the comments are one
        statement, and a model with an enforced contract skips the lookup: its
        columns are the documented ones, or the contract check has already
        failed the build. -#}
    {%- set comments = [] -%}
    {%- if for_relation and config.persist_relation_docs() and model.description -%}
        {%- do comments.append(
            alter_relation_comment(relation, model.description)
        ) -%}
    {%- endif -%}
    {%- if for_columns and config.persist_column_docs() and model.columns -%}
        {%- set contract_config = config.get('contract') -%}
        {%- if contract_config and contract_config.enforced -%}
            {%- set existing_columns = model.columns.keys() | list -%}
        {%- else -%}
            {%- set existing_columns = adapter.get_columns_in_relation(relation)
                | map(attribute='name') | list -%}
        {%- endif -%}
        {%- for column_name, column in model.columns.items()
            if column_name in existing_columns and column.description -%}
            {%- do comments.append(
                'comment on column ' ~ relation ~ '.'
                ~ (adapter.quote(column_name) if column.quote else column_name)
                ~ ' is ' ~ duckdb_escape_comment(column.description) ~ ';'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if comments -%}
        {%- do run_query(comments | join('\n')) -%}
    {%- endif -%}
{%- endmacro %}
