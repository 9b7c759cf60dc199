with source as (
    select * from {{ source('lake_audit', 'rejected_rows') }}
),

renamed as (
    select
        file_name,
        line_number,
        field,
        reason,
        record
    from source
)

select * from renamed
