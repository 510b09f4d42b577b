with

source as (

    select * from {{ source('app', 'courses') }}
    where {{ required_values_present('courses') }}

),

renamed as (

    select
        course_id,
        course_title,
        lower(trim(category)) as category,
        lower(trim(difficulty_level)) as difficulty_level,
        price_amount,
        {#- ISO 4217 codes are upper case: the one exception to the
            lower(trim()) rule for enums. -#}
        upper(trim(currency)) as currency,
        price_amount = 0 as is_free,
        {{ staged_timestamp('published_at') }} as published_at

    from source

),

deduplicated as (

    {{ catalog_first_copies(
        'renamed', 'course_id', [
            'course_id',
            'course_title',
            'category',
            'difficulty_level',
            'price_amount',
            'currency',
            'is_free',
            'published_at'
        ]
    ) }}

)

select * from deduplicated
