-- Every education record (credit and noncredit, every format) in one shape, with its source code
-- mapped to the data dictionary (docs/submission_manual.md §3) and its learner resolved (§4).
--
-- Business rules:
-- * CSV rows carry their own program_id (checked against the catalog at ingestion).
-- * PESC / CLR / Open Badges rows are tied to a catalog program by (provider_id, cip_code,
--   credential_level) in int_education__tied; here they get their credential_level from the
--   crosswalk seed of their code system. Unknown codes keep credential_level null and
--   is_code_known false (counted in marts.dq_unmapped_codes, never dropped).
-- * Only postsecondary credentials count as awards: PESC secondary codes (B17-B28) and every award
--   on a high-school transcript, and Open Badges learning achievements (Course, Competency, ...)
--   keep their date in record_date but have award_date null.
-- * A badge / CLR credential whose proof is INVALID (docs/learner_records.md) keeps its date in
--   record_date but has award_date null, unless ler:count_invalid_proofs (LER_COUNT_INVALID_PROOFS).
-- * sex, race_ethnicity and birth_year are the record's own (docs/reporting_rules.md §7.5 splits
--   completers by the record that carries the award).
-- * Subjects known only by studentId / sisSourcedId take the person key their provider's roster
--   gives that id; unmatched ones keep a non-SSN key and so count as unmatchable.
with transcripts as (
    select * from {{ ref('stg_lake__transcripts') }}
),

noncredit as (
    select * from {{ ref('stg_lake__noncredit') }}
),

xwalk_ipeds as (
    select * from {{ ref('xwalk_ipeds_award_level') }}
),

xwalk_pesc as (
    select * from {{ ref('xwalk_pesc_award_level') }}
),

xwalk_ob3 as (
    select * from {{ ref('xwalk_ob3_achievement_type') }}
),

credential_levels as (
    select * from {{ ref('credential_levels') }}
),

roster as (
    select * from {{ ref('int_learners__roster') }}
),

transcript_records as (
    select
        'transcripts' as record_source,
        t.source_format,
        t.provider_id,
        t.local_id_key,
        t.person_key,
        t.is_ssn_key,
        t.identity_source,
        t.program_id,
        t.cip_code,
        case t.source_format when 'csv' then 'IPEDS_AWARD_LEVEL' when 'pesc_xml' then 'PESC_AWARD_LEVEL'
            else 'OB3_ACHIEVEMENT_TYPE' end as code_system,
        coalesce(t.award_level, t.source_award_code) as source_code,
        coalesce(xi.source_code, xp.source_code, xo.source_code) is not null as is_code_known,
        case t.source_format
            when 'csv' then xi.credential_level
            when 'pesc_xml' then xp.credential_level
            else xo.credential_level
        end as record_credential_level,
        case t.source_format
            when 'csv' then true
            when 'pesc_xml' then coalesce(xp.is_postsecondary, false) and t.transcript_type = 'COLLEGE'
            else coalesce(xo.is_credential, false) and xo.credential_level is not null
        end as is_credential_record,
        t.source_format = 'pesc_xml' and (t.transcript_type = 'HIGH_SCHOOL' or xp.is_postsecondary is false)
            as is_secondary,
        t.sex,
        t.race_ethnicity,
        t.birth_year,
        t.exit_reason,
        t.credential_id,
        t.has_proof,
        t.proof_status,
        t.proof_reason,
        t.award_title as title,
        t.start_date,
        t.end_date,
        t.award_date as record_date,
        t.expires_on,
        t.file_name,
        t.file_seq,
        t.line_number
    from transcripts as t
    left join xwalk_ipeds as xi on t.source_format = 'csv' and xi.source_code = t.award_level
    left join xwalk_pesc as xp
        on t.source_format = 'pesc_xml' and upper(xp.source_code) = upper(trim(t.source_award_code))
    left join xwalk_ob3 as xo
        on t.source_format = 'clr_json' and lower(xo.source_code) = lower(trim(t.source_award_code))
),

noncredit_records as (
    select
        'noncredit' as record_source,
        n.source_format,
        n.provider_id,
        n.local_id_key,
        n.person_key,
        n.is_ssn_key,
        n.identity_source,
        n.program_id,
        n.cip_code,
        case n.source_format when 'csv' then 'NONCREDIT_CREDENTIAL_TYPE' else 'OB3_ACHIEVEMENT_TYPE' end
            as code_system,
        coalesce(n.credential_type, n.source_credential_code) as source_code,
        case n.source_format when 'csv' then n.credential_type is null or cl.credential_level is not null
            else xo.source_code is not null end as is_code_known,
        case n.source_format when 'csv' then cl.credential_level else xo.credential_level end
            as record_credential_level,
        case n.source_format when 'csv' then true
            else coalesce(xo.is_credential, false) and xo.credential_level is not null end
            as is_credential_record,
        false as is_secondary,
        n.sex,
        n.race_ethnicity,
        n.birth_year,
        n.exit_reason,
        n.credential_id,
        n.has_proof,
        n.proof_status,
        n.proof_reason,
        n.credential_name as title,
        n.start_date,
        n.end_date,
        n.credential_date as record_date,
        n.expires_on,
        n.file_name,
        n.file_seq,
        n.line_number
    from noncredit as n
    left join credential_levels as cl on n.source_format = 'csv' and cl.credential_level = n.credential_type
    left join xwalk_ob3 as xo
        on n.source_format = 'ob3_json' and lower(xo.source_code) = lower(trim(n.source_credential_code))
),

unioned as (
    select * from transcript_records
    {{ union_all_by_name() }}
    select * from noncredit_records
),

resolved as (
    select
        {{ star_except(['person_key', 'is_ssn_key', 'identity_source'], 'u') }},
        case when u.identity_source = 'ROSTER_ID' and r.person_key is not null then r.person_key
            else u.person_key end as person_key,
        case when u.identity_source = 'ROSTER_ID' and r.person_key is not null then r.is_ssn_key
            else u.is_ssn_key end as is_ssn_key,
        case when u.identity_source <> 'ROSTER_ID' then u.identity_source
            when r.person_key is not null then 'ROSTER_MATCHED'
            else 'ROSTER_UNMATCHED' end as identity_source,
        case when u.is_credential_record
            and (u.proof_status is distinct from 'INVALID' or {{ var('ler:count_invalid_proofs') }})
            then u.record_date end as award_date
    from unioned as u
    left join roster as r
        on u.identity_source = 'ROSTER_ID'
        and r.provider_id = u.provider_id
        and r.local_id_key = u.local_id_key
)

select * from resolved
