with source as (
    select * from {{ lake_source('lake', 'programs') }}
),

renamed as (
    select
        provider_id,
        program_id,
        program_name,
        cip_code,
        soc_codes,
        credit_type,
        credential_level,
        clock_hours::double as clock_hours,
        credit_hours::double as credit_hours,
        weeks::double as weeks,
        tuition_fees::decimal(18, 2) as tuition_fees,
        wpell_candidate as is_wpell_candidate,
        start_date::date as program_start_date,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
