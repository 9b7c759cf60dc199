with source as (
    select * from {{ lake_source('lake', 'noncredit') }}
),

renamed as (
    select
        provider_id,
        local_id_key,
        person_key,
        is_ssn_key,
        identity_source,
        program_id,
        cip_code,
        soc_code,
        credential_type,
        source_credential_code,
        credential_ctid,
        birth_year,
        sex,
        race_ethnicity,
        exit_reason,
        clock_hours_completed,
        tuition_fees_charged,
        funding_source,
        credential_name,
        credential_id,
        achievement_id,
        has_proof,
        proof_status,
        proof_reason,
        start_date::date as start_date,
        end_date::date as end_date,
        credential_date::date as credential_date,
        expires_on::date as expires_on,
        source_format,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
