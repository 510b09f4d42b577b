{% macro delete_first_attempts_no_longer_first() -%}
    {#- Post-hook of int_quiz_first_attempt_responses_totalled (DuckDB): an
        incremental run deletes the rows of a stored attempt that is no longer
        a submitted first attempt (an earlier attempt of the same user at the
        quiz arrived late), which delete+insert by attempt would keep: no new
        row carries its key. Nothing to do on a full build. -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where attempt_id not in (
            select attempt_id
            from {{ ref('int_quiz_attempts_numbered') }}
            where attempt_number = 1 and not is_abandoned
        )
    {%- endif -%}
{%- endmacro %}
