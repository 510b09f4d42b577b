{#- The date spine: one row per calendar day from the first to the last day
    with any event in staging. dbt.date_spine excludes its end date, hence
    the day added to the last event date. -#}

with

days as (

    {{ dbt.date_spine(
        datepart='day',
        start_date="(select first_event_date from "
            ~ ref('int_event_dates_summarized') ~ ")",
        end_date="(select " ~ dbt.dateadd('day', 1, 'last_event_date')
            ~ " from " ~ ref('int_event_dates_summarized') ~ ")"
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
