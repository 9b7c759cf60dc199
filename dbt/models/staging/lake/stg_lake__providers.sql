with source as (
    select * from {{ lake_source('lake', 'providers') }}
),

renamed as (
    select
        provider_id,
        provider_name,
        provider_type,
        ipeds_unitid,
        opeid,
        fice,
        badge_issuer_id,
        region,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
