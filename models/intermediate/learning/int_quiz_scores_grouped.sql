{#- Kelley's upper / lower 27 % groups of classical test theory, as weights
    per quiz x total score. The upper group is the round(0.27 n) submitted
    first attempts with the highest totals of the quiz's n; when the attempts
    tied on the total at the cut hold more than the places left, the places
    are shared equally among them: each counts with weight places left /
    attempts tied. That is each attempt's chance of being in the group when
    the tie is broken at random, so the groups' rates are the average over
    every way of breaking the tie, and no arbitrary order (an attempt id)
    decides them. The lower group likewise from the lowest totals. The
    weights depend on every first attempt of the quiz, so the model is
    rebuilt in full (a few rows per quiz). -#}
{%- set group_fraction = 0.27 -%}

with

first_attempt_responses as (

    select * from {{ ref('int_quiz_first_attempt_responses_totalled') }}

),

first_attempts as (

    select
        quiz_id,
        attempt_id,
        min(total_correct_count) as total_correct_count

    from first_attempt_responses
    group by 1, 2

),

scores_counted as (

    select
        quiz_id,
        total_correct_count,
        count(*) as attempts_count

    from first_attempts
    group by 1, 2

),

scores_ranked as (

    select
        quiz_id,
        total_correct_count,
        attempts_count,
        sum(attempts_count) over (partition by quiz_id)
            as quiz_first_attempts_count,
        coalesce(sum(attempts_count) over (
            partition by quiz_id
            order by total_correct_count desc
            rows between unbounded preceding and 1 preceding
        ), 0) as attempts_above_count,
        coalesce(sum(attempts_count) over (
            partition by quiz_id
            order by total_correct_count asc
            rows between unbounded preceding and 1 preceding
        ), 0) as attempts_below_count

    from scores_counted

),

scores_sized as (

    select
        scores_ranked.*,
        cast(
            round({{ group_fraction }} * quiz_first_attempts_count, 0)
            as bigint
        ) as score_group_size

    from scores_ranked

),

final as (

    select
        {{ dbt.concat(['quiz_id', "':'", 'total_correct_count']) }}
            as quiz_score_id,
        quiz_id,
        cast(total_correct_count as bigint) as total_correct_count,
        cast(attempts_count as bigint) as attempts_count,
        cast(quiz_first_attempts_count as bigint) as quiz_first_attempts_count,
        score_group_size,
        cast(attempts_above_count as bigint) as attempts_above_count,
        cast(attempts_below_count as bigint) as attempts_below_count,
        -- The places left for this total's attempts, 0..attempts_count,
        -- shared equally among them.
        cast(
            least(
                greatest(score_group_size - attempts_above_count, 0),
                attempts_count
            ) as double
        ) / attempts_count as upper_group_weight,
        cast(
            least(
                greatest(score_group_size - attempts_below_count, 0),
                attempts_count
            ) as double
        ) / attempts_count as lower_group_weight

    from scores_sized

)

select * from final
