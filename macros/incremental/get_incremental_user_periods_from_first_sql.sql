{% macro get_incremental_user_periods_from_first_sql(arg_dict) -%}
    {#- Incremental strategy user_periods_from_first, for
        int_user_periods_classified on DuckDB (its header says which periods
        a run rebuilds). For each unique_key (user and granularity) among the
        new rows, it
        deletes the stored rows from the first period the run computed on,
        and all of them when the new rows carry another sign-up period or
        install-event count (the run rebuilt that user whole) or on `behavior
        reprocess` (which rebuilds every user it touches whole); then it
        inserts the new rows. Stored rows before the first computed period
        are kept: nothing they depend on changed. -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set keys = arg_dict['unique_key'] -%}
    delete from {{ target }} as stored
    using (
        select
            {%- for key in keys %}
                {{ key }},
            {%- endfor %}
            min(period_start_date) as first_period_start_date,
            min(signup_period_start_date) as signup_period_start_date,
            min(install_events_count) as install_events_count
        from {{ source }}
        group by all
    ) as rebuilt
    where
        {%- for key in keys %}
            stored.{{ key }} = rebuilt.{{ key }} and
        {%- endfor %}
        (
            {%- if var('behavior__reprocess_from', none) %}
                true or
            {%- endif %}
            stored.period_start_date >= rebuilt.first_period_start_date
            or stored.signup_period_start_date
            is distinct from rebuilt.signup_period_start_date
            or stored.install_events_count != rebuilt.install_events_count
        );

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ source }}
{%- endmacro %}
