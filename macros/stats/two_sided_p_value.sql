{% macro two_sided_p_value(z) -%}
    {#- Two-sided p-value of a standard normal test statistic:
        2 * (1 - Phi(|z|)), with Phi from the normal_cdf macro. -#}
    (2.0 * (1.0 - {{ normal_cdf("abs(" ~ z ~ ")") }}))
{%- endmacro %}
