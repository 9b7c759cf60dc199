with source as (
    select * from {{ lake_source('lake', 'credential_definitions') }}
),

renamed as (
    select
        ctid,
        credential_uri,
        credential_name,
        ctdl_class,
        owner_uri,
        owner_name,
        cip_codes,
        soc_codes,
        naics_codes,
        credential_status,
        subject_webpage,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
