-- Education records tied to a catalog program (LER_SPEC.md §3). CSV rows name their program;
-- PESC / CLR / Open Badges records match (provider_id, cip_code, credential_level) to exactly one
-- catalog program. tie_status says why a record has no program: NO_AWARD_CODE (a PESC record
-- without an award, or a badge without achievementType: no level to match on), UNMAPPED_CODE (a
-- code the crosswalks do not know), NOT_A_CREDENTIAL (learning achievement or secondary award),
-- NO_CIP, NO_CATALOG_MATCH, AMBIGUOUS_CATALOG_MATCH (several programs share the triple; none is
-- chosen). Only CATALOG and TIED records have a program_id.
with records as (
    select *, row_number() over () as record_id from {{ ref('int_education__records') }}
),

programs as (
    select provider_id, program_id, cip_code, credential_level from {{ ref('int_reference__programs') }}
),

candidates as (
    select r.record_id, p.program_id, count(*) over (partition by r.record_id) as n_matches
    from records as r
    join programs as p
        on r.program_id is null
        and r.is_credential_record
        and not r.is_secondary
        and p.provider_id = r.provider_id
        and p.cip_code = r.cip_code
        and p.credential_level = r.record_credential_level
),

final as (
    select
        r.* exclude (program_id, record_id),
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
    left join (select distinct record_id, first(program_id) as program_id, max(n_matches) as n_matches
               from candidates group by record_id) as c
        on c.record_id = r.record_id
)

select * from final
