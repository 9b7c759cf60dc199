-- What a learner record is built from (docs/learner_records.md): one row per credential the warehouse
-- holds for a learner, credit and noncredit, every format, tied to a catalog program or not, with its
-- place in the data dictionary (docs/submission_manual.md §3) and its provider.
--
-- Business rules:
-- * A credential is a credential record (not a learning achievement, not a secondary award) with a
--   date. Its level is the catalog program's when the record is tied to one, else the record's own.
-- * The same credential sent twice (a resubmission, or a CSV row and a badge of the same award: same
--   person, provider, level, CIP and date) is one row: the later file and line win.
-- * Credentials whose submitted proof is INVALID are not here: the state signs only what it can
--   stand behind (they stay in int_education__records and dq_issues lists them).
-- * employed_q2: UI earnings > 0 in quarter(award) + 2 (int_outcomes__completion_measures, the same
--   rule as the outcome tables); null when that quarter is not observed or the key is not SSN-based.
--   A record shows it only with the learner's EMPLOYMENT_SUMMARY consent.
with records as (
    select * from {{ ref('int_education__tied') }}
),

programs as (
    select * from {{ ref('int_reference__programs') }}
),

providers as (
    select * from {{ ref('int_reference__providers') }}
),

levels as (
    select * from {{ ref('credential_levels') }}
),

measures as (
    select person_key, completion_date, is_observed_q2, is_employed_q2
    from {{ ref('int_outcomes__completion_measures') }}
),

credentials as (
    select
        r.record_source || '|' || r.file_seq || '|' || r.line_number as record_key,
        r.person_key,
        r.is_ssn_key,
        r.provider_id,
        r.program_id,
        p.program_name,
        r.title,
        coalesce(p.credential_level, r.record_credential_level) as credential_level,
        r.cip_code,
        r.start_date,
        r.record_date as award_date,
        r.source_format,
        r.proof_status,
        r.file_seq,
        r.line_number
    from records as r
    left join programs as p on p.provider_id = r.provider_id and p.program_id = r.program_id
    where r.is_credential_record
        and not r.is_secondary
        and r.record_date is not null
        and r.person_key is not null
        and r.proof_status is distinct from 'INVALID'
),

deduplicated as (
    select *
    from credentials
    qualify row_number() over (
        partition by person_key, provider_id, credential_level, cip_code, award_date
        order by file_seq desc, line_number desc
    ) = 1
),

final as (
    select
        c.record_key,
        c.person_key,
        c.is_ssn_key,
        c.provider_id,
        pr.provider_name,
        pr.badge_issuer_id as provider_issuer_id,
        c.program_id,
        c.program_name,
        c.title,
        l.credit_type,
        c.credential_level,
        l.description as level_description,
        l.ctdl_class,
        l.ob3_achievement_type,
        c.cip_code,
        c.start_date,
        c.award_date,
        c.source_format,
        c.proof_status,
        case when c.is_ssn_key and m.is_observed_q2 then m.is_employed_q2 end as employed_q2
    from deduplicated as c
    left join providers as pr on pr.provider_id = c.provider_id
    left join levels as l on l.credential_level = c.credential_level
    left join measures as m on m.person_key = c.person_key and m.completion_date = c.award_date
)

select * from final
