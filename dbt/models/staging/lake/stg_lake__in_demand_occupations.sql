with source as (
    select * from {{ lake_source('lake', 'in_demand_occupations') }}
),

renamed as (
    select
        soc_code,
        title as occupation_title,
        designation,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
