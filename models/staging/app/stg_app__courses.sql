with

source as (

    select * from {{ source('app', 'courses') }}

),

renamed as (

    select
        course_id,
        course_title,
        lower(trim(category)) as category,
        lower(trim(difficulty_level)) as difficulty_level,
        price_amount,
        upper(trim(currency)) as currency,
        price_amount = 0 as is_free,
        published_at

    from source

)

select * from renamed
