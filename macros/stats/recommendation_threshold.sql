{% macro recommendation_threshold(detector, parameter) -%}
    {#- One threshold from the recommendation_thresholds seed, as a scalar
        subquery (null when the row is missing, so a detector finds nothing
        rather than everything). -#}
    (
        select max(recommendation_thresholds.value)
        from {{ ref('recommendation_thresholds') }} as recommendation_thresholds
        where
            recommendation_thresholds.detector = '{{ detector }}'
            and recommendation_thresholds.parameter = '{{ parameter }}'
    )
{%- endmacro %}
