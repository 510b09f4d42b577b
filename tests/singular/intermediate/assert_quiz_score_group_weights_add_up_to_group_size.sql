-- Kelley's groups as weights (int_quiz_scores_grouped): in each quiz the
-- weights of its first attempts add up to the group size in the upper group
-- and in the lower group, and the attempts counted per total add up to the
-- quiz's first attempts. Our logic, not the data: an error.
with

quiz_scores as (

    select * from {{ ref('int_quiz_scores_grouped') }}

),

quizzes_summed as (

    select
        quiz_id,
        min(score_group_size) as score_group_size,
        min(quiz_first_attempts_count) as quiz_first_attempts_count,
        sum(attempts_count) as attempts_count,
        sum(attempts_count * upper_group_weight) as upper_group_attempts,
        sum(attempts_count * lower_group_weight) as lower_group_attempts

    from quiz_scores
    group by 1

)

select * from quizzes_summed
where
    attempts_count != quiz_first_attempts_count
    or abs(upper_group_attempts - score_group_size) > 1e-9
    or abs(lower_group_attempts - score_group_size) > 1e-9
