{#- One row per unknown-reference check of rpt_data_quality (check_name):
    the rows of a child table that name a key its parent table does not
    have (an event of an unknown user or course, a module of an unknown
    course, a commerce event in a currency without an fx rate, ...), counted
    over every staged row. rpt_data_quality lists these rows with its other
    checks.

    A model of its own, not a CTE of rpt_data_quality, for memory: the
    users' anti-join probes every event's user_id (96M keys at 100M raw
    rows), and in one query with the report's other checks (the quiz
    responses unnested, the orders grouped) it shared the 3 GB DuckDB limit
    with their hash tables, went external and spilled its probe side
    (1.6 GB): 9-11 s for the report at 100M against 1.2 s for these checks
    alone and 3.2-3.8 s for the others (bench/profile-2026-12-07d.md). -#}

{%- set unknown_references = [
    ('purchase_events_of_unknown_users', 'stg_app__user_purchases',
        'purchase_events', 'user_id', 'users', 'user_id',
        'Commerce events whose user_id is not in stg_app__users.'),
    ('purchase_events_of_unknown_courses', 'stg_app__user_purchases',
        'purchase_events', 'course_id', 'courses', 'course_id',
        'Commerce events whose course_id is not in stg_app__courses.'),
    ('course_interactions_of_unknown_users',
        'stg_app__user_course_interactions',
        'course_interactions', 'user_id', 'users', 'user_id',
        'Course interactions whose user_id is not in stg_app__users.'),
    ('course_interactions_of_unknown_courses',
        'stg_app__user_course_interactions',
        'course_interactions', 'course_id', 'courses', 'course_id',
        'Course interactions whose course_id is not in stg_app__courses.'),
    ('course_interactions_of_unknown_modules',
        'stg_app__user_course_interactions',
        'course_interactions', 'module_id', 'modules', 'module_id',
        'Course interactions whose module_id (when set) is not in'
        ~ ' stg_app__modules.'),
    ('app_sessions_of_unknown_users', 'stg_app__user_app_sessions',
        'app_sessions', 'user_id', 'users', 'user_id',
        'App sessions whose user_id is not in stg_app__users.'),
    ('quiz_attempts_of_unknown_users', 'stg_app__quiz_attempts',
        'quiz_attempts', 'user_id', 'users', 'user_id',
        'Quiz attempts whose user_id is not in stg_app__users.'),
    ('quiz_attempts_of_unknown_quizzes', 'stg_app__quiz_attempts',
        'quiz_attempts', 'quiz_id', 'quizzes', 'quiz_id',
        'Quiz attempts whose quiz_id is not in stg_app__quizzes.'),
    ('quiz_responses_of_unknown_questions', 'stg_app__quiz_responses',
        'quiz_responses', 'question_id', 'quiz_questions', 'question_id',
        'Quiz responses whose question_id is not in'
        ~ ' stg_app__quiz_questions.'),
    ('modules_of_unknown_courses', 'stg_app__modules',
        'modules', 'course_id', 'courses', 'course_id',
        'Modules whose course_id is not in stg_app__courses (kept in'
        ~ ' dim_modules without the course details).'),
    ('quizzes_of_unknown_modules', 'stg_app__quizzes',
        'quizzes', 'module_id', 'modules', 'module_id',
        'Quizzes whose module_id is not in stg_app__modules (kept in'
        ~ ' dim_quizzes and fct_quiz_attempts without module or course).'),
    ('quiz_questions_of_unknown_quizzes', 'stg_app__quiz_questions',
        'quiz_questions', 'quiz_id', 'quizzes', 'quiz_id',
        'Quiz questions whose quiz_id is not in stg_app__quizzes (kept in'
        ~ ' dim_quiz_questions without quiz, module or course).'),
    ('install_events_of_unknown_users', 'stg_app__user_install_events',
        'install_events', 'user_id', 'users', 'user_id',
        'Install events whose user_id is not in stg_app__users.'),
    ('purchase_events_without_fx_rate', 'stg_app__user_purchases',
        'purchase_events', 'currency', 'fx_rates', 'currency',
        'Commerce events whose currency has no fx_rates_to_usd rate (no'
        ~ ' USD amount; left out of every USD total).'),
    ('courses_without_fx_rate', 'stg_app__courses',
        'courses', 'currency', 'fx_rates', 'currency',
        'Courses whose currency has no fx_rates_to_usd rate (no USD price in'
        ~ ' dim_courses).'),
] -%}

{#- Each parent table the checks above name, once, in their order. -#}
{%- set reference_parents = [] -%}
{%- for check in unknown_references -%}
    {%- if (check[4], check[5]) not in reference_parents -%}
        {%- do reference_parents.append((check[4], check[5])) -%}
    {%- endif -%}
{%- endfor %}

{#- Each check's number, its position in the list: the keys carry it through
    the anti-join instead of the check's name. -#}
{%- set check_numbers = {} -%}
{%- for check in unknown_references -%}
    {%- do check_numbers.update({check[0]: loop.index}) -%}
{%- endfor %}

with

purchase_events as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__user_purchases') }}

),

course_interactions as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

app_sessions as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

quiz_attempts as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__quiz_attempts') }}

),

quiz_responses as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__quiz_responses') }}

),

install_events as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__user_install_events') }}

),

users as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__users') }}

),

courses as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__courses') }}

),

modules as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__modules') }}

),

quizzes as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__quizzes') }}

),

quiz_questions as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__quiz_questions') }}

),

fx_rates as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('fx_rates_to_usd') }}

),

{#- The unknown-reference checks, one anti-join per parent table: the keys
    of every child that names it, tagged with their check, against one copy
    of the parent's keys (five separate anti-joins deduplicated and hashed
    the users five times). -#}
{% for parent, parent_column in reference_parents %}
    keys_naming_{{ parent }} as (

        {%- for check_name, checked_table, child, child_column, named_parent,
            named_column, description in unknown_references
            if named_parent == parent %}
            select
                {{ check_numbers[check_name] }} as check_number,
                {{ child_column }} as named_key

            from {{ child }}
            where {{ child_column }} is not null
            {%- if not loop.last %}
                union all
            {%- endif %}
        {%- endfor %}

    ),

    unknown_{{ parent }}_counted as (

        select
            keys_naming_{{ parent }}.check_number,
            count(*) as flagged_rows_count

        from keys_naming_{{ parent }}
        left join {{ parent }}
            on
                keys_naming_{{ parent }}.named_key
                = {{ parent }}.{{ parent_column }}
        where {{ parent }}.{{ parent_column }} is null
        group by 1

    ),

{% endfor -%}

unknown_references_counted as (

    {%- for parent, parent_column in reference_parents %}
        select * from unknown_{{ parent }}_counted
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

reference_checks_listed as (

    {%- for check_name, checked_table, child, child_column, parent,
        parent_column, description in unknown_references %}
        select
            {{ check_numbers[check_name] }} as check_number,
            '{{ check_name }}' as check_name,
            '{{ checked_table }}' as checked_table_name,
            '{{ description }}' as check_description
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        reference_checks_listed.check_name,
        reference_checks_listed.checked_table_name,
        reference_checks_listed.check_description,
        coalesce(unknown_references_counted.flagged_rows_count, 0)
            as flagged_rows_count

    from reference_checks_listed
    left join unknown_references_counted
        on
            reference_checks_listed.check_number
            = unknown_references_counted.check_number

)

select * from final
