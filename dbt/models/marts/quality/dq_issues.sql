-- The data-quality report a state can send back to institutions: one row per rule x provider x
-- file, with error_code, severity and a message (no learner values). Rules:
--   UNMAPPED_CODE          a PESC / Open Badges code no crosswalk knows (kept, not counted as an award)
--   NO_CATALOG_MATCH       a PESC / CLR / badge credential that matches no catalog program
--   AMBIGUOUS_CATALOG_MATCH several catalog programs share the record's provider, CIP and level
--   NO_CIP                 a credential record without a CIP code, so it cannot be tied to a program
--   NO_AWARD_CODE          a PESC record without an award (or a badge without achievementType): no
--                          credential level to tie it to a program, so it is in no cohort
--   SECONDARY_AWARD        a high-school award in a college transcript feed (kept, never a completion)
--   LEARNING_ACHIEVEMENT   an Open Badges / CLR achievement that is not a credential (kept, not an award)
--   ROSTER_UNMATCHED       a badge subject's studentId / sisSourcedId is not in the provider's extracts
--   EXPIRED_CREDENTIAL     a credential whose validUntil / expirationDate is before the run date
--   NO_PROOF               an Open Badges / CLR credential without a proof
--   INVALID_PROOF          its proof does not verify (docs/learner_records.md): kept, not an award
--                          unless ler:count_invalid_proofs
--   UNVERIFIABLE_PROOF     its proof cannot be checked offline (not a did:key, suite, context)
with records as (
    select * from {{ ref('int_education__tied') }}
),

flagged as (
    select
        provider_id,
        file_name,
        case
            when tie_status = 'UNMAPPED_CODE' then 'UNMAPPED_CODE'
            when tie_status in ('NO_CATALOG_MATCH', 'AMBIGUOUS_CATALOG_MATCH', 'NO_CIP', 'NO_AWARD_CODE') then tie_status
            when tie_status = 'NOT_A_CREDENTIAL' and is_secondary then 'SECONDARY_AWARD'
            when tie_status = 'NOT_A_CREDENTIAL' then 'LEARNING_ACHIEVEMENT'
        end as error_code
    from records
    union all
    select provider_id, file_name, 'ROSTER_UNMATCHED' from records where identity_source = 'ROSTER_UNMATCHED'
    union all
    select provider_id, file_name, 'EXPIRED_CREDENTIAL' from records where expires_on < current_date
    union all
    select provider_id, file_name, 'NO_PROOF' from records
    where source_format in ('ob3_json', 'clr_json') and has_proof = false
    union all
    select provider_id, file_name, proof_status || '_PROOF' from records
    where proof_status in ('INVALID', 'UNVERIFIABLE')
),

rules as (
    select * from (values
        ('UNMAPPED_CODE', 'WARNING', 'award or achievement type not in the data dictionary crosswalks; kept, not counted as an award'),
        ('NO_CATALOG_MATCH', 'WARNING', 'credential matches no program of the provider in programs.csv (provider, CIP, credential level)'),
        ('AMBIGUOUS_CATALOG_MATCH', 'WARNING', 'several catalog programs share the provider, CIP and credential level; not tied'),
        ('NO_CIP', 'WARNING', 'credential without a CIP code cannot be tied to a catalog program'),
        ('NO_AWARD_CODE', 'WARNING', 'record without an award level or achievement type cannot be tied to a catalog program, so it is in no cohort'),
        ('SECONDARY_AWARD', 'INFO', 'secondary (high-school) award kept in the learner record, never a postsecondary completion'),
        ('LEARNING_ACHIEVEMENT', 'INFO', 'learning achievement (course, competency, ...) kept in the learner record, not an award'),
        ('ROSTER_UNMATCHED', 'WARNING', 'badge subject identified only by a student id that is not in the provider''s extracts: unmatchable to wages'),
        ('EXPIRED_CREDENTIAL', 'INFO', 'credential expired before the run date; still counted as earned'),
        ('NO_PROOF', 'INFO', 'credential carries no cryptographic proof'),
        ('INVALID_PROOF', 'WARNING', 'the credential''s proof does not verify (changed after signing, another key, or undefined terms); kept in the learner record, not counted as an award unless LER_COUNT_INVALID_PROOFS'),
        ('UNVERIFIABLE_PROOF', 'INFO', 'the credential''s proof cannot be checked offline (the key is not a did:key, or the suite or a context is not supported); counted as earned')
    ) as t(error_code, severity, message)
)

select f.error_code, r.severity, r.message, f.provider_id, f.file_name, count(*) as n_records
from flagged as f
join rules as r using (error_code)
where f.error_code is not null
group by all
order by f.error_code, f.provider_id, f.file_name
