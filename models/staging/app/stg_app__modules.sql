with

source as (

    select * from {{ source('app', 'modules') }}
    where {{ required_values_present('modules') }}

),

renamed as (

    select
        module_id,
        course_id,
        module_position,
        module_title,
        estimated_minutes

    from source

),

deduplicated as (

    {{ catalog_first_copies(
        'renamed', 'module_id', [
            'module_id',
            'course_id',
            'module_position',
            'module_title',
            'estimated_minutes'
        ]
    ) }}

)

select * from deduplicated
