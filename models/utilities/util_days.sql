{#- The date spine: one row per calendar day from the first to the last day
    with any event in staging (int_event_dates_summarized), days without
    events included. dbt.date_spine excludes its end date, hence the day
    added to the last event date.
    Defensive bounds (the loader quarantines rows outside them, but the sample
    seeds and other writers of raw do not go through the loader): the spine
    holds no day before the day before var behavior__earliest_event_date and
    none after tomorrow (macros date_spine_first_day, date_spine_last_day).
    int_event_dates_summarized leaves days outside them out of the first and
    last event dates, so one absurd date (0001-01-01, 2100, infinity) cannot
    stretch the spine; the clamp here only covers a warehouse with no event
    inside them. -#}

{%- set earliest = date_spine_first_day() -%}
{%- set latest = date_spine_last_day() -%}

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
