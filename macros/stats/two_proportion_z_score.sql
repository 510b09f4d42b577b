{% macro two_proportion_z_score(successes_a, trials_a, successes_b, trials_b) -%}
    {#- Pooled two-proportion z statistic for p_a - p_b:
        (p_a - p_b) / sqrt(p (1 - p) (1/n_a + 1/n_b)), p = pooled rate.
        Null when a group is empty or the pooled rate is 0 or 1 (no variance). -#}
    (
        (
            cast({{ successes_a }} as double) / nullif({{ trials_a }}, 0)
            - cast({{ successes_b }} as double) / nullif({{ trials_b }}, 0)
        )
        / nullif(sqrt(
            (cast({{ successes_a }} + {{ successes_b }} as double)
                / nullif({{ trials_a }} + {{ trials_b }}, 0))
            * (1.0 - cast({{ successes_a }} + {{ successes_b }} as double)
                / nullif({{ trials_a }} + {{ trials_b }}, 0))
            * (cast(1 as double) / nullif({{ trials_a }}, 0)
                + cast(1 as double) / nullif({{ trials_b }}, 0))
        ), 0)
    )
{%- endmacro %}
