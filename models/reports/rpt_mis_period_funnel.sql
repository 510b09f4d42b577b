{#- The purchase funnel of all courses for the three periods of the daily
    MIS report (the report day, the 7 and the 28 days ending on it), one
    row per step: the per-course counts of rpt_mis_period_courses added up
    (a funnel is one user x course, so the counts are additive). -#}

{%- set steps = [
    (1, 'click', 'clicked'),
    (2, 'wishlist', 'wishlisted'),
    (3, 'cart', 'carted'),
    (4, 'purchase_attempt', 'purchase_attempted'),
    (5, 'payment_succeeded', 'paid'),
    (6, 'first_module_started', 'module_started'),
] -%}

with

period_courses as (

    select * from {{ ref('rpt_mis_period_courses') }}

),

periods_summed as (

    select
        report_date,
        period_name,
        period_days,
        period_start_date,
        {%- for step_number, step_name, column_prefix in steps %}
            sum({{ column_prefix }}_funnels_count) as {{ column_prefix }}_count
            {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from period_courses
    group by 1, 2, 3, 4

),

steps_unpivoted as (

    {%- for step_number, step_name, column_prefix in steps %}
        select
            report_date,
            period_name,
            period_days,
            period_start_date,
            {{ step_number }} as step_number,
            '{{ step_name }}' as step_name,
            cast({{ column_prefix }}_count as bigint) as funnels_count,
            cast({{ column_prefix }}_count as double)
            / nullif(clicked_count, 0) as share_of_clicks

        from periods_summed
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

steps_keyed as (

    select
        {{ surrogate_key([
            'report_date', 'period_name', 'step_number'
        ]) }} as period_funnel_step_id,
        steps_unpivoted.*

    from steps_unpivoted

)

select * from steps_keyed
