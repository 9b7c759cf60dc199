-- CTDL credential descriptions (reference/*.json), linked to catalog programs by CTID (a noncredit
-- record's credential_ctid) and by CIP code + dictionary level at the same provider's catalog.
with definitions as (
    select * from {{ ref('int_reference__credential_definitions') }}
),

programs as (
    select provider_id, program_id, cip_code, credential_level from {{ ref('int_reference__programs') }}
),

ctid_links as (
    select distinct n.credential_ctid as ctid, n.provider_id, n.program_id
    from {{ ref('stg_lake__noncredit') }} as n
    where n.credential_ctid is not null and n.program_id is not null
),

cip_links as (
    select d.definition_key, p.provider_id, p.program_id
    from definitions as d
    cross join unnest(string_split(coalesce(d.cip_codes, ''), ';')) as c(cip_code)
    join programs as p on p.cip_code = trim(c.cip_code) and p.credential_level = d.credential_level
),

links as (
    select d.definition_key, l.provider_id, l.program_id, 'CTID' as link_method
    from definitions as d join ctid_links as l on l.ctid = d.ctid
    union
    select definition_key, provider_id, program_id, 'CIP_LEVEL' as link_method from cip_links
),

final as (
    select
        d.definition_key,
        d.ctid,
        d.credential_uri,
        d.credential_name,
        d.ctdl_class,
        d.credential_level,
        d.is_class_mapped,
        d.owner_uri,
        d.owner_name,
        d.cip_codes,
        d.soc_codes,
        d.naics_codes,
        d.credential_status,
        d.subject_webpage,
        list(distinct l.provider_id || '/' || l.program_id order by l.provider_id || '/' || l.program_id)
            filter (where l.program_id is not null) as linked_programs,
        first(l.link_method order by l.link_method) filter (where l.program_id is not null) as link_method
    from definitions as d
    left join links as l using (definition_key)
    group by all
)

select * from final
