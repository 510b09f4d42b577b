{#- The date spine: one row per calendar day from the first to the last day
    with any event in staging. dbt.date_spine excludes its end date, hence
    the day added to the last event date.
    Defensive bounds (the loader quarantines rows outside them, but the sample
    seeds do not go through the loader): the spine starts no earlier than the
    day before var behavior__earliest_event_date (the loader's earliest_at
    bound, an instant in UTC: a reporting time zone west of UTC dates it a day
    earlier) and ends no later than tomorrow, so one absurd date (0001-01-01,
    2100, infinity) cannot stretch it. -#}

{%- set earliest_day = var('behavior__earliest_event_date') -%}
{%- set earliest = "cast(" ~ dbt.dateadd(
    'day', -1, "cast('" ~ earliest_day ~ "' as date)"
) ~ " as date)" -%}
{%- set tomorrow = dbt.dateadd('day', 1, 'current_date') -%}
{%- set latest = "cast(" ~ tomorrow ~ " as date)" -%}

with

days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="(select least(greatest(first_event_date, " ~ earliest
            ~ "), " ~ latest ~ ") from "
            ~ ref('int_event_dates_summarized') ~ ")",
        end_date="(select " ~ dbt.dateadd(
                'day', 1,
                "greatest(least(last_event_date, " ~ latest ~ "), "
                ~ earliest ~ ")"
            ) ~ " from " ~ ref('int_event_dates_summarized') ~ ")"
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
