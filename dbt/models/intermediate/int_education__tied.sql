-- Education records tied to a catalog program (docs/submission_manual.md §3). CSV rows name their program;
-- PESC / CLR / Open Badges records match (provider_id, cip_code, credential_level) to exactly one
-- catalog program. tie_status says why a record has no program: NO_AWARD_CODE (a PESC record
-- without an award, or a badge without achievementType: no level to match on), UNMAPPED_CODE (a
-- code the crosswalks do not know), NOT_A_CREDENTIAL (learning achievement or secondary award),
-- NO_CIP, NO_CATALOG_MATCH, AMBIGUOUS_CATALOG_MATCH (several programs share the triple; none is
-- chosen). Only CATALOG and TIED records have a program_id.
--
-- A record is identified by (record_source, file_seq, line_number): its lake table, its file's place
-- on the landing timeline and its line or ordinal in that file (the grain of int_education__records),
-- so the catalog matches join back to the record they came from whatever order the rows are read in.
with records as (
    select * from {{ ref('int_education__records') }}
),

programs as (
    select provider_id, program_id, cip_code, credential_level from {{ ref('int_reference__programs') }}
),

candidates as (
    select
        r.record_source,
        r.file_seq,
        r.line_number,
        count(*) as n_matches,
        min(p.program_id) as program_id
    from records as r
    join programs as p
        on r.program_id is null
        and r.is_credential_record
        and not r.is_secondary
        and p.provider_id = r.provider_id
        and p.cip_code = r.cip_code
        and p.credential_level = r.record_credential_level
    group by r.record_source, r.file_seq, r.line_number
),

final as (
    select
        {{ star_except(['program_id'], 'r') }},
        coalesce(r.program_id, case when c.n_matches = 1 then c.program_id end) as program_id,
        case
            when r.program_id is not null then 'CATALOG'
            when r.is_secondary or (r.is_code_known and not r.is_credential_record) then 'NOT_A_CREDENTIAL'
            when r.source_code is null then 'NO_AWARD_CODE'
            when r.record_credential_level is null then 'UNMAPPED_CODE'
            when r.cip_code is null then 'NO_CIP'
            when c.n_matches = 1 then 'TIED'
            when c.n_matches > 1 then 'AMBIGUOUS_CATALOG_MATCH'
            else 'NO_CATALOG_MATCH'
        end as tie_status
    from records as r
    left join candidates as c
        on c.record_source = r.record_source
        and c.file_seq = r.file_seq
        and c.line_number = r.line_number
)

select * from final
