-- CTDL credential descriptions linked to the catalog programs they describe: one row per
-- (definition_key, provider_id, program_id) with the method of the link.
--
-- Business rules:
-- * CTID: a noncredit record of the program names the description's CTID (credential_ctid); an
--   exact identifier, so it is the link to trust.
-- * CIP_LEVEL: one of the description's CIP codes and its dictionary level equal the catalog
--   program's, at any provider; a heuristic.
-- * A program linked by CTID to any description keeps only its CTID links: its CIP + level links are
--   dropped, so a CTID link always wins over a CIP + level link.
with definitions as (
    select definition_key, ctid, cip_codes, credential_level
    from {{ ref('int_reference__credential_definitions') }}
),

programs as (
    select provider_id, program_id, cip_code, credential_level from {{ ref('int_reference__programs') }}
),

named_ctids as (
    select distinct credential_ctid as ctid, provider_id, program_id
    from {{ ref('stg_lake__noncredit') }}
    where credential_ctid is not null and program_id is not null
),

ctid_links as (
    select d.definition_key, n.provider_id, n.program_id, 'CTID' as link_method
    from definitions as d
    join named_ctids as n on n.ctid = d.ctid
),

cip_links as (
    select distinct d.definition_key, p.provider_id, p.program_id, 'CIP_LEVEL' as link_method
    from definitions as d
    cross join {{ unnest_as(split_text("coalesce(d.cip_codes, '')", ';'), 'c', 'cip_code') }}
    join programs as p on p.cip_code = trim(c.cip_code) and p.credential_level = d.credential_level
),

final as (
    select * from ctid_links
    union
    select l.*
    from cip_links as l
    where not exists (
        select 1 from ctid_links as c where c.provider_id = l.provider_id and c.program_id = l.program_id
    )
)

select * from final
