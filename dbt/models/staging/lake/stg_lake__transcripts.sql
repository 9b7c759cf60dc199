with source as (
    select * from {{ lake_source('lake', 'transcripts') }}
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
        award_level,
        source_award_code,
        transcript_type,
        birth_year,
        sex,
        race_ethnicity,
        exit_reason,
        credits_attempted,
        credits_earned,
        pell_recipient as is_pell_recipient,
        award_title,
        credential_id,
        achievement_id,
        has_proof,
        proof_status,
        proof_reason,
        enrollment_start_date::date as start_date,
        enrollment_end_date::date as end_date,
        award_date::date as award_date,
        expires_on::date as expires_on,
        source_format,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
