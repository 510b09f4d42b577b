{{ config(enabled=var('behavior__plant_failing_test')) }}
{#- A data test that fails on purpose, enabled only by the var
    behavior__plant_failing_test (tests/python/test_publish.py): it returns
    every row of the daily revenue mart, so the build that runs it fails and
    `behavior publish` must refuse to publish that build. -#}

with

revenue_daily as (

    select * from {{ ref('fct_revenue_daily') }}

)

select * from revenue_daily
