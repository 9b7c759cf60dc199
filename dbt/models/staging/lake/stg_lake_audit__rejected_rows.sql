with source as (
    {{ lake_audit_union('rejected_rows') }}
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
