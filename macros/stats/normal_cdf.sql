{% macro normal_cdf(z) -%}
    {#- Standard normal CDF Phi(z), as SQL. DuckDB has no erf(), so this is
        the Abramowitz & Stegun 26.2.17 polynomial approximation (absolute
        error below 7.5e-8): for x = |z|, t = 1 / (1 + 0.2316419 x),
        1 - Phi(x) = phi(x) (b1 t + b2 t^2 + b3 t^3 + b4 t^4 + b5 t^5),
        mirrored for negative z. Null in, null out. -#}
    {%- set x = "abs(" ~ z ~ ")" -%}
    {%- set t = "(1.0 / (1.0 + 0.2316419 * " ~ x ~ "))" -%}
    (
        case
            when ({{ z }}) is null then null
            else 0.5 + sign({{ z }}) * (
                0.5
                - exp(-0.5 * {{ x }} * {{ x }}) / sqrt(2 * pi())
                * {{ t }} * (
                    0.319381530 + {{ t }} * (
                        -0.356563782 + {{ t }} * (
                            1.781477937 + {{ t }} * (
                                -1.821255978 + {{ t }} * 1.330274429
                            )
                        )
                    )
                )
            )
        end
    )
{%- endmacro %}
