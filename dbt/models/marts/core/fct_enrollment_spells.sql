-- One row per enrollment spell in a catalog program after amendments (CEDS: Postsecondary
-- Enrollment / Workforce Program Participation). Grain: spell_id.
with spells as (
    select * from {{ ref('int_education__spells') }}
),

programs as (
    select provider_id, program_id, credit_type, credential_level from {{ ref('int_reference__programs') }}
)

select
    s.spell_id,
    s.person_key,
    s.provider_id,
    s.program_id,
    s.local_id_key,
    p.credit_type,
    p.credential_level,
    s.is_ssn_key,
    s.identity_source,
    s.record_source,
    s.source_format,
    s.code_system,
    s.source_code,
    s.tie_status,
    s.exit_reason,
    s.sex,
    s.race_ethnicity,
    s.birth_year,
    s.has_proof,
    s.start_date,
    s.end_date,
    s.award_date,
    s.expires_on,
    {{ award_year('s.start_date') }} as start_award_year,
    s.file_name,
    s.file_seq,
    s.line_number
from spells as s
join programs as p using (provider_id, program_id)
