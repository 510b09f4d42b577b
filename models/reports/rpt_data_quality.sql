{#- One row per data-quality check: a data anomaly that real inputs produce
    (an orphan refund, a refund larger than its payment, an event of an
    unknown user, course, module, quiz or question, an event of a module of
    another course, an amount without a rate, an event received before it
    happened). Each is kept in the models, flagged where a column can carry
    it, warned by a dbt test of severity warn, and counted here; none stops
    the build. Checks of our own logic (primary keys, reconciliations
    between marts) are error tests and have no row here: if one fails, the
    build stops. The unknown-reference checks are counted in their own
    model, int_unknown_references_counted (why: there). -#}

{%- set received_before_occurred = [
    ('purchase_events', 'stg_app__user_purchases', 'occurred_at',
        'occurred_date'),
    ('course_interactions', 'stg_app__user_course_interactions',
        'occurred_at', 'occurred_date'),
    ('app_sessions', 'stg_app__user_app_sessions', 'opened_at', 'opened_date'),
    ('quiz_attempts', 'stg_app__quiz_attempts', 'started_at', 'started_date'),
] -%}

with

purchases as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('fct_purchases') }}

),

enrollments as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('fct_course_enrollments') }}

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

session_transitions as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('int_session_transitions_aggregated') }}

),

first_attempt_responses as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('int_quiz_first_attempt_responses_totalled') }}

),

rows_missing_required_values as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__rows_missing_required_values') }}

),

reference_checks as (

    select * from {{ ref('int_unknown_references_counted') }}

),

first_installs as (

    {#- Each user's first install: every version of the user record carries
        the same one (the loader refuses a version changing it). -#}
    select
        user_id,
        min(occurred_at) as first_installed_at

    from install_events
    where install_event_type = 'install'
    group by 1

),

conflicting_orders as (

    {#- Orders whose events disagree on who, what or in which currency (two
        values differ exactly when the smallest and the largest differ: no
        distinct count), with their events. -#}
    select
        order_id,
        count(*) as events_count

    from purchase_events
    where order_id is not null
    group by 1
    having
        min(user_id) < max(user_id)
        or min(course_id) < max(course_id)
        or min(currency) < max(currency)

),

order_checks as (

    select
        'orphan_refunds' as check_name,
        'fct_purchases' as checked_table_name,
        'Orders with a refund but no completed transaction (quarantined,'
        || ' or late and not loaded yet): kept with net revenue = minus'
        || ' the refund, flagged is_orphan_refund.' as check_description,
        count(case when is_orphan_refund then 1 end) as flagged_rows_count

    from purchases

    union all

    select
        'refunds_exceeding_payment' as check_name,
        'fct_purchases' as checked_table_name,
        'Paid orders refunded more than they paid (refund_amount >'
        || ' gross_amount): kept, net revenue negative.' as check_description,
        count(
            case when is_paid and refund_amount > gross_amount then 1 end
        ) as flagged_rows_count

    from purchases

    union all

    select
        'refunds_before_payment' as check_name,
        'fct_purchases' as checked_table_name,
        'Orders whose first refund is earlier than their completed'
        || ' transaction (paid_at > refunded_at).' as check_description,
        count(case when paid_at > refunded_at then 1 end)
            as flagged_rows_count

    from purchases

    union all

    select
        'purchase_events_of_conflicting_orders' as check_name,
        'stg_app__user_purchases' as checked_table_name,
        'Commerce events of an order whose events name more than one'
        || ' user_id, course_id or currency: kept; fct_purchases takes the'
        || ' user, course and currency of the order''s first event, its USD'
        || ' amounts convert each event, its local-currency amounts add the'
        || ' events'' amounts as they are.' as check_description,
        coalesce(sum(events_count), 0) as flagged_rows_count

    from conflicting_orders

),

scoring_checks as (

    select
        'responses_scored_against_another_key' as check_name,
        'int_quiz_first_attempt_responses_totalled' as checked_table_name,
        'First-attempt quiz responses with a verdict (is_correct, the app)'
        || ' other than the listed answer key''s (chosen_option ='
        || ' correct_option; no option chosen: not correct).'
            as check_description,
        count(*) as flagged_rows_count

    from first_attempt_responses
    inner join quiz_questions
        on first_attempt_responses.question_id = quiz_questions.question_id
    {# A response without a verdict is counted as incomplete, not here; one
        without an option did not choose the key, so a true verdict on it
        disagrees with the key (a null comparison would hide it). #}
    where
        first_attempt_responses.is_correct
        != coalesce(
            first_attempt_responses.chosen_option
            = quiz_questions.correct_option,
            false
        )

),

modules_counted as (

    select
        count(*) over (
            partition by course_id, module_position
        ) as modules_per_position

    from modules
    where module_position is not null

),

quizzes_counted as (

    select count(*) over (partition by module_id) as quizzes_per_module
    from quizzes
    where module_id is not null

),

quiz_questions_counted as (

    select
        count(*) over (
            partition by quiz_id, question_position
        ) as questions_per_position

    from quiz_questions
    where question_position is not null

),

quiz_catalogs as (

    select
        quiz_id,
        count(*) as questions_count,
        {{ list_agg_sorted('question_id') }} as question_ids

    from quiz_questions
    group by 1

),

attempts_named as (

    select
        quiz_id,
        is_abandoned,
        {{ list_transform('responses', 'response', 'response.question_id') }}
            as named_question_ids

    from quiz_attempts

),

attempts_answered as (

    {#- Per attempt, the questions of its quiz's catalog that one of its
        responses names: a response without a question, a second response
        to the same question or one naming another quiz's question answers
        none of them. Counted in the attempt's list (the catalog's questions
        it holds), not over the unnested responses: at 40M raw rows a group
        by attempt of 8M responses took four times as long. -#}
    select
        attempts_named.is_abandoned,
        quiz_catalogs.questions_count,
        coalesce(
            {{ list_count(
                'quiz_catalogs.question_ids',
                'catalog_question_id',
                list_contains(
                    'attempts_named.named_question_ids', 'catalog_question_id'
                )
            ) }},
            0
        ) as answered_questions_count

    from attempts_named
    inner join quiz_catalogs
        on attempts_named.quiz_id = quiz_catalogs.quiz_id

),

responses_matched as (

    {#- The responses naming a question of their quiz's catalog (answering
        it, or repeating an answer) and those naming another quiz's. -#}
    select
        count(
            case when quiz_responses.quiz_id = quiz_questions.quiz_id then 1 end
        ) as answering_responses_count,
        count(
            case
                when quiz_responses.quiz_id != quiz_questions.quiz_id then 1
            end
        ) as another_quiz_responses_count

    from quiz_responses
    inner join quiz_questions
        on quiz_responses.question_id = quiz_questions.question_id

),

answered_questions_totalled as (

    select
        coalesce(sum(answered_questions_count), 0)
            as answered_questions_count

    from attempts_answered

),

catalog_checks as (

    select
        'course_interactions_of_modules_of_other_courses' as check_name,
        'stg_app__user_course_interactions' as checked_table_name,
        'Course interactions whose module_id is a module of another course'
        || ' than their course_id in stg_app__modules (left out of the'
        || ' enrollments and the module drop-off).' as check_description,
        count(*) as flagged_rows_count

    from course_interactions
    inner join modules
        on course_interactions.module_id = modules.module_id
    where course_interactions.course_id != modules.course_id

    union all

    select
        'modules_sharing_a_position' as check_name,
        'stg_app__modules' as checked_table_name,
        'Modules whose module_position another module of the same course'
        || ' has too (ordered by position, then module_id).'
            as check_description,
        count(case when modules_per_position > 1 then 1 end)
            as flagged_rows_count

    from modules_counted

    union all

    select
        'quizzes_sharing_a_module' as check_name,
        'stg_app__quizzes' as checked_table_name,
        'Quizzes of a module that has more than one quiz (dim_modules shows'
        || ' the smallest quiz_id).' as check_description,
        count(case when quizzes_per_module > 1 then 1 end)
            as flagged_rows_count

    from quizzes_counted

    union all

    select
        'quiz_questions_sharing_a_position' as check_name,
        'stg_app__quiz_questions' as checked_table_name,
        'Quiz questions whose question_position another question of the'
        || ' same quiz has too.' as check_description,
        count(case when questions_per_position > 1 then 1 end)
            as flagged_rows_count

    from quiz_questions_counted

),

catalog_copies_checks as (

    {%- for catalog_table, key in [
        ('courses', 'course_id'),
        ('modules', 'module_id'),
        ('quizzes', 'quiz_id'),
        ('quiz_questions', 'question_id'),
    ] %}
        select
            '{{ catalog_table }}_keys_with_conflicting_copies' as check_name,
            'stg_app__{{ catalog_table }}' as checked_table_name,
            'Keys ({{ key }}) with copies in raw.{{ catalog_table }} that'
            || ' differ (another writer than the loader): staging keeps the'
            || ' copy that sorts first by its columns in contract order,'
            || ' flagged has_conflicting_copies; the others stay in raw.'
                as check_description,
            count(case when has_conflicting_copies then 1 end)
                as flagged_rows_count

        from {{ catalog_table }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

event_tables_counted as (

    {#- One scan of each event table for its clock and platform checks. -#}
    {%- for child, checked_table, time_column, date_column
        in received_before_occurred %}
        select
            '{{ child }}' as child_name,
            '{{ checked_table }}' as checked_table_name,
            '{{ time_column }}' as time_column_name,
            '{{ date_column }}' as date_column_name,
            count(
                case when {{ time_column }} > received_at then 1 end
            ) as received_before_count,
            count(
                case
                    when received_at > {{ run_started_at_literal() }} then 1
                end
            ) as received_after_build_count,
            count(
                case
                    when not ({{ is_within_date_spine(date_column) }}) then 1
                end
            ) as outside_spine_count,
            count(
                case when platform not in ('android', 'ios', 'web') then 1 end
            ) as unknown_platform_count

        from {{ child }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

event_table_checks as (

    select
        child_name || '_received_before_occurring' as check_name,
        checked_table_name,
        'Rows whose ' || time_column_name || ' is after received_at (a'
        || ' device clock ahead of the collector).' as check_description,
        received_before_count as flagged_rows_count

    from event_tables_counted

    union all

    select
        child_name || '_received_after_the_build' as check_name,
        checked_table_name,
        'Rows whose received_at is after the start of the dbt run that built'
        || ' this report (a collector clock ahead; another writer than the'
        || ' loader, which refuses them): kept; they do not move the lookback'
        || ' watermark, so each incremental run reprocesses them.'
            as check_description,
        received_after_build_count as flagged_rows_count

    from event_tables_counted

    union all

    select
        child_name || '_dated_outside_the_date_spine' as check_name,
        checked_table_name,
        'Rows whose ' || date_column_name || ' is before the day before var'
        || ' behavior__earliest_event_date or after tomorrow (another writer'
        || ' than the loader, which refuses them; an infinite time stages as'
        || ' 0001-01-01 or 9999-12-31): kept in the event facts, in no daily'
        || ' mart (util_days does not reach their day).' as check_description,
        outside_spine_count as flagged_rows_count

    from event_tables_counted

    union all

    select
        child_name || '_of_unknown_platforms' as check_name,
        checked_table_name,
        'Rows whose platform is not android, ios or web (another writer than'
        || ' the loader, which refuses them): kept; they count in every total'
        || ' and in no platform''s row.' as check_description,
        unknown_platform_count as flagged_rows_count

    from event_tables_counted

),

event_checks as (

    select
        'course_interactions_of_unknown_types' as check_name,
        'stg_app__user_course_interactions' as checked_table_name,
        'Course interactions whose event_type the contract does not list'
        || ' (active days count them; the event stream names them'
        || ' other_course_interaction).' as check_description,
        count(
            case
                when event_type not in (
                    {{ sql_values(course_interaction_types()) }}
                ) then 1
            end
        ) as flagged_rows_count

    from course_interactions

    union all

    select
        'purchase_events_of_unknown_types' as check_name,
        'stg_app__user_purchases' as checked_table_name,
        'Commerce events whose event_type the contract does not list (kept'
        || ' in staging; no activity, order step or revenue).'
            as check_description,
        count(
            case
                when event_type not in (
                    {{ sql_values(commerce_event_types()) }}
                ) then 1
            end
        ) as flagged_rows_count

    from purchase_events

    union all

    select
        'purchase_events_with_status_not_fitting_type' as check_name,
        'stg_app__user_purchases' as checked_table_name,
        'Commerce events of a contract event_type whose payment_status is'
        || ' not the one the contract gives that type (cart_add: pending,'
        || ' purchase_attempt: succeeded or failed, transaction_completed:'
        || ' succeeded, refund: refunded): kept and counted as their type'
        || ' says (a completed transaction marked failed still pays its'
        || ' order).' as check_description,
        count(
            case
                when not coalesce(
                    (event_type = 'cart_add' and payment_status = 'pending')
                    or (
                        event_type = 'purchase_attempt'
                        and payment_status in ('succeeded', 'failed')
                    )
                    or (
                        event_type = 'transaction_completed'
                        and payment_status = 'succeeded'
                    )
                    or (event_type = 'refund' and payment_status = 'refunded'),
                    false
                ) then 1
            end
        ) as flagged_rows_count

    from purchase_events
    where event_type in ({{ sql_values(commerce_event_types()) }})

    union all

    select
        'payment_attempts_with_failure_reason_not_fitting_status'
            as check_name,
        'stg_app__user_purchases' as checked_table_name,
        'Purchase attempts that failed without a failure_reason, or did not'
        || ' fail and name one (the contract gives failed attempts a reason'
        || ' and no others; the loader does not check it): kept, the reason'
        || ' as sent.' as check_description,
        count(
            case
                when
                    coalesce(payment_status = 'failed', false)
                    != (failure_reason is not null)
                    then 1
            end
        ) as flagged_rows_count

    from purchase_events
    where event_type = 'purchase_attempt'

    union all

    select
        'partial_quiz_submissions' as check_name,
        'stg_app__quiz_attempts' as checked_table_name,
        'Submitted quiz attempts that leave a question the catalog lists'
        || ' for their quiz unanswered: no response names it (an unanswered'
        || ' question counts as not correct in the total and is left out of'
        || ' its item analysis; an unparsable responses list answers none).'
            as check_description,
        count(
            case
                when
                    not is_abandoned
                    and answered_questions_count < questions_count
                    then 1
            end
        ) as flagged_rows_count

    from attempts_answered

    union all

    select
        'app_sessions_with_unparsable_lists' as check_name,
        'stg_app__user_app_sessions' as checked_table_name,
        'App sessions whose navigation_history or features_used text is not'
        || ' a JSON list (staged as a null list: no screens or no features).'
            as check_description,
        count(case when has_unparsable_lists then 1 end)
            as flagged_rows_count

    from app_sessions

    union all

    select
        'app_sessions_with_unparsable_step_times' as check_name,
        'stg_app__user_app_sessions' as checked_table_name,
        'App sessions with a navigation step whose viewed_at is not a'
        || ' timestamp (staged with a null time: the crash estimate skips'
        || ' it).' as check_description,
        count(case when has_unparsable_step_times then 1 end)
            as flagged_rows_count

    from app_sessions

    union all

    select
        'quiz_responses_repeating_a_question' as check_name,
        'stg_app__quiz_responses' as checked_table_name,
        'Quiz responses naming a question of their quiz''s catalog that an'
        || ' earlier response of the same attempt named: kept, and counted'
        || ' again in the attempt''s total and the question''s item analysis'
        || ' (a partial submission counts the question once).'
            as check_description,
        responses_matched.answering_responses_count
        - answered_questions_totalled.answered_questions_count
            as flagged_rows_count

    from responses_matched
    cross join answered_questions_totalled

    union all

    select
        'quiz_responses_of_another_quizs_questions' as check_name,
        'stg_app__quiz_responses' as checked_table_name,
        'Quiz responses naming a question the catalog lists under another'
        || ' quiz than the attempt''s (the loader refuses them only when the'
        || ' catalog lists the attempted quiz''s questions): kept, in the'
        || ' attempt''s total and in that question''s item analysis.'
            as check_description,
        another_quiz_responses_count as flagged_rows_count

    from responses_matched

    union all

    select
        'navigation_steps_without_screen' as check_name,
        'stg_app__session_screen_views' as checked_table_name,
        'Navigation steps whose screen name is missing (written to raw by'
        || ' another writer than the loader, which rejects them): kept as'
        || ' screen views without a screen, and as the screen (no screen) in'
        || ' fct_navigation_transitions.' as check_description,
        {#- Every step is the from-screen of exactly one transition (to the
            next step or to exit): the transitions' counts, no unnesting of
            every session's list. -#}
        coalesce(sum(transitions_count), 0) as flagged_rows_count

    from session_transitions
    where from_screen = '(no screen)'

    union all

    select
        'course_enrollments_completed_before_started' as check_name,
        'fct_course_enrollments' as checked_table_name,
        'Enrollments whose completion (100 % progress, or the last module'
        || ' completed) is dated before their first module start or progress'
        || ' update (a device clock; the loader accepts it): kept, with a'
        || ' negative seconds_to_complete.' as check_description,
        count(case when completed_at < started_at then 1 end)
            as flagged_rows_count

    from enrollments

    union all

    select
        'quiz_attempts_submitted_without_score' as check_name,
        'stg_app__quiz_attempts' as checked_table_name,
        'Submitted quiz attempts without a score_percent (the loader accepts'
        || ' them): kept, with an unknown pass (is_passed null: in neither'
        || ' side of the pass rate) and no score improvement.'
            as check_description,
        count(
            case
                when submitted_at is not null and score_percent is null then 1
            end
        ) as flagged_rows_count

    from quiz_attempts

    union all

    select
        'quiz_attempts_with_unparsable_responses' as check_name,
        'stg_app__quiz_attempts' as checked_table_name,
        'Quiz attempts whose responses text is not a JSON list (staged as a'
        || ' null list: no responses), or with a verdict that is not true or'
        || ' false or seconds that are not a number (staged as null).'
            as check_description,
        count(case when has_unparsable_responses then 1 end)
            as flagged_rows_count

    from quiz_attempts

    union all

    select
        'quiz_attempts_with_incomplete_responses' as check_name,
        'stg_app__quiz_attempts' as checked_table_name,
        'Quiz attempts with a response that names no question, no option or'
        || ' no verdict (kept: a response without a verdict counts as not'
        || ' correct, one without a question is in no item analysis).'
            as check_description,
        count(case when has_incomplete_responses then 1 end)
            as flagged_rows_count

    from quiz_attempts

    union all

    select
        'install_events_before_first_install' as check_name,
        'stg_app__user_install_events' as checked_table_name,
        'Uninstall and reinstall events of a user with no install on or'
        || ' before them (none at all, or a later first install): kept; the'
        || ' lifecycle reads a user''s latest install event on or before a'
        || ' period''s end, so such an uninstall can mark a period before the'
        || ' install uninstalled.' as check_description,
        count(*) as flagged_rows_count

    from install_events
    left join first_installs
        on install_events.user_id = first_installs.user_id
    where
        install_events.install_event_type != 'install'
        and (
            first_installs.first_installed_at is null
            or install_events.occurred_at < first_installs.first_installed_at
        )

    union all

    select
        'app_sessions_closed_before_opened' as check_name,
        'stg_app__user_app_sessions' as checked_table_name,
        'App sessions whose closed_at is before opened_at (a device clock'
        || ' change: the length is estimated as for a crash,'
        || ' fct_app_sessions.is_duration_estimated).' as check_description,
        count(case when closed_at < opened_at then 1 end)
            as flagged_rows_count

    from app_sessions

),

raw_checks as (

    select
        raw_table_name || '_rows_missing_required_values' as check_name,
        'raw.' || raw_table_name as checked_table_name,
        'Rows of raw.' || raw_table_name || ' with a null in a column the'
        || ' contract requires (another writer than the loader, which'
        || ' quarantines them): kept in raw, left out of staging and every'
        || ' model. Columns: ' || coalesce(nullif(missing_columns, ''), 'none')
        || '.' as check_description,
        rows_missing_values_count as flagged_rows_count

    from rows_missing_required_values

),

checks_unioned as (

    select * from order_checks

    union all

    select * from scoring_checks

    union all

    select * from reference_checks

    union all

    select * from catalog_checks

    union all

    select * from catalog_copies_checks

    union all

    select * from event_checks

    union all

    select * from event_table_checks

    union all

    select * from raw_checks

),

final as (

    select
        check_name,
        checked_table_name,
        check_description,
        cast(flagged_rows_count as bigint) as flagged_rows_count,
        flagged_rows_count > 0 as is_flagged,
        'warn' as severity

    from checks_unioned

)

select * from final
