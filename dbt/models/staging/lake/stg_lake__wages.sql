with source as (
    select * from {{ lake_source('lake', 'wages') }}
),

renamed as (
    select
        person_key,
        employer_account,
        employer_fein,
        year::integer as wage_year,
        quarter::integer as wage_quarter,
        wages::decimal(18, 2) as wage_amount,
        naics_code,
        county_fips,
        hours::double as hours_worked,
        source_format,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
