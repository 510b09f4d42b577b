{#- For the latest complete day: quiz questions with a problem, one finding
    per question and issue (first attempts, classical item analysis):
    - likely_wrong_key (high): a wrong option that the upper score group
      picks at least `min_upper_group_ratio` times as often as the keyed
      option and that is chosen more often than the key overall, with at
      least `min_upper_group_responses` upper-group responses
      (fct_quiz_option_choices; thresholds from the seed). Its evidence
      (the keyed option's rate, the baseline) is the keyed option's
      upper-group choice rate, the rate the rule compared: the same as the
      question's upper-group correct rate unless the app scored the
      responses against another key (a flagged anomaly);
    - negative_discrimination (medium): flagged by fct_quiz_question_stats
      (strong learners right less often than weak ones) and not already a
      likely wrong key;
    - too_hard (medium) / too_easy (low): flagged by fct_quiz_question_stats
      with its own minimum responses and cut-offs. -#}

{%- set detector = 'quiz_question_quality' -%}

with

reporting_days as (

    select * from {{ ref('int_reporting_days_bounded') }}

),

question_stats as (

    select * from {{ ref('fct_quiz_question_stats') }}

),

option_choices as (

    select * from {{ ref('fct_quiz_option_choices') }}

),

courses as (

    select * from {{ ref('dim_courses') }}

),

thresholds as (

    select
        {{ recommendation_threshold(detector, 'min_upper_group_responses') }}
            as min_upper_group_responses,
        {{ recommendation_threshold(detector, 'min_upper_group_ratio') }}
            as min_upper_group_ratio

),

key_options as (

    select * from option_choices
    where is_key

),

likely_wrong_keys as (

    select
        option_choices.question_id,
        option_choices.answer_option,
        option_choices.upper_group_chosen_rate,
        key_options.upper_group_chosen_rate as key_upper_group_chosen_rate,
        row_number() over (
            partition by option_choices.question_id
            order by
                option_choices.upper_group_chosen_rate desc,
                option_choices.answer_option asc
        ) as candidate_rank

    from option_choices
    inner join key_options
        on option_choices.question_id = key_options.question_id
    inner join question_stats
        on option_choices.question_id = question_stats.question_id
    cross join thresholds
    where
        not option_choices.is_key
        and question_stats.upper_group_responses_count
        >= thresholds.min_upper_group_responses
        and option_choices.chosen_count > key_options.chosen_count
        and option_choices.upper_group_chosen_rate
        >= thresholds.min_upper_group_ratio
        * key_options.upper_group_chosen_rate
        and option_choices.upper_group_chosen_rate > 0

),

favoured_distractors as (

    select
        question_id,
        answer_option,
        upper_group_chosen_rate,
        row_number() over (
            partition by question_id
            order by upper_group_chosen_rate desc, answer_option asc
        ) as favour_rank

    from option_choices
    where is_distractor_favoured_by_upper_group

),

issues_unioned as (

    select
        likely_wrong_keys.question_id,
        'likely_wrong_key' as issue,
        'upper_group_chosen_rate' as metric,
        likely_wrong_keys.upper_group_chosen_rate as value,  -- noqa: RF04
        'high' as severity
    from likely_wrong_keys
    where likely_wrong_keys.candidate_rank = 1

    union all

    select
        question_id,
        'negative_discrimination' as issue,
        'discrimination_index' as metric,
        discrimination_index as value,  -- noqa: RF04
        'medium' as severity
    from question_stats
    where
        has_negative_discrimination
        and question_id not in (
            select likely_wrong_keys.question_id from likely_wrong_keys
        )

    union all

    select
        question_id,
        'too_hard' as issue,
        'difficulty_index' as metric,
        difficulty_index as value,  -- noqa: RF04
        'medium' as severity
    from question_stats
    where is_too_hard and not has_negative_discrimination

    union all

    select
        question_id,
        'too_easy' as issue,
        'difficulty_index' as metric,
        difficulty_index as value,  -- noqa: RF04
        'low' as severity
    from question_stats
    where is_too_easy

),

findings as (

    select
        reporting_days.report_date,
        'learning' as area,
        '{{ detector }}' as detector,
        issues_unioned.metric,
        'quiz_question' as entity_type,
        issues_unioned.question_id as entity_id,
        coalesce(courses.course_title, question_stats.course_id)
        || ' - quiz ' || question_stats.quiz_id
        || ' question ' || cast(question_stats.question_position as string)
            as entity_name,
        issues_unioned.issue as breakdown,
        case
            when issues_unioned.issue in ('too_easy', 'likely_wrong_key')
                then 'up'
            else 'down'
        end as direction,
        case issues_unioned.issue
            when 'likely_wrong_key'
                then
                    'The best-scoring learners pick option '
                    || likely_wrong_keys.answer_option || ' ('
                    || cast(round(
                        100 * likely_wrong_keys.upper_group_chosen_rate, 1
                    ) as string)
                    || '%) over the keyed option '
                    || question_stats.correct_option || ' ('
                    || cast(round(
                        100 * likely_wrong_keys.key_upper_group_chosen_rate, 1
                    ) as string)
                    || '%) in question ' || issues_unioned.question_id
                    || ': the answer key is probably wrong.'
            when 'negative_discrimination'
                then
                    'Strong learners answer question '
                    || issues_unioned.question_id || ' correctly less often ('
                    || cast(round(
                        100 * question_stats.upper_group_correct_rate, 1
                    ) as string)
                    || '%) than weak learners ('
                    || cast(round(
                        100 * question_stats.lower_group_correct_rate, 1
                    ) as string)
                    || '%); the key says ' || question_stats.correct_option
                    || coalesce(
                        ' but strong learners prefer '
                        || favoured_distractors.answer_option,
                        ''
                    )
                    || ': the answer key may be wrong.'
            when 'too_hard'
                then
                    'Only '
                    || cast(
                        round(100 * question_stats.difficulty_index, 1)
                        as string
                    )
                    || '% of '
                    || cast(question_stats.responses_count as string)
                    || ' first attempts answer question '
                    || issues_unioned.question_id || ' correctly.'
            else cast(
                round(100 * question_stats.difficulty_index, 1)
                as string
            )
            || '% of ' || cast(question_stats.responses_count as string)
            || ' first attempts answer question '
            || issues_unioned.question_id
            || ' correctly: it does not tell learners apart.'
        end as finding,
        issues_unioned.value,
        case issues_unioned.issue
            when 'likely_wrong_key'
                then likely_wrong_keys.key_upper_group_chosen_rate
            when 'negative_discrimination' then 0.0
            else question_stats.difficulty_index
        end as baseline,
        case
            when issues_unioned.issue = 'likely_wrong_key'
                then
                    issues_unioned.value
                    - likely_wrong_keys.key_upper_group_chosen_rate
            when issues_unioned.issue = 'negative_discrimination'
                then question_stats.discrimination_index
        end as effect_size,
        question_stats.responses_count as sample_size,
        question_stats.point_biserial_correlation as test_statistic,
        cast(null as double) as p_value,
        issues_unioned.severity,
        case issues_unioned.issue
            when 'likely_wrong_key'
                then
                    'Fix the answer key (option '
                    || likely_wrong_keys.answer_option
                    || ' is probably right) and re-score the attempts.'
            when 'negative_discrimination'
                then
                    'Check the answer key'
                    || coalesce(
                        ' (option ' || favoured_distractors.answer_option
                        || ' may be the right one)',
                        ''
                    )
                    || ' and the wording; re-score affected attempts if the '
                    || 'key was wrong.'
            when 'too_hard'
                then
                    'Review the question and the lesson before it; clarify '
                    || 'the wording or teach the missing step.'
            else 'Make the question more demanding or drop it.'
        end as recommended_action,
        cast(null as string) as contact_key

    from issues_unioned
    inner join question_stats
        on issues_unioned.question_id = question_stats.question_id
    left join favoured_distractors
        on
            issues_unioned.question_id = favoured_distractors.question_id
            and favoured_distractors.favour_rank = 1
    left join likely_wrong_keys
        on
            issues_unioned.question_id = likely_wrong_keys.question_id
            and likely_wrong_keys.candidate_rank = 1
    left join courses
        on question_stats.course_id = courses.course_id
    cross join reporting_days
    where reporting_days.is_latest_complete_day

)

select * from findings
