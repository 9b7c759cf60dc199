-- CTDL credential descriptions (reference/*.json), each with the catalog programs it describes
-- (int_reference__credentials_linked: by CTID, else by CIP code + dictionary level; a CTID link wins).
with definitions as (
    select * from {{ ref('int_reference__credential_definitions') }}
),

links as (
    select * from {{ ref('int_reference__credentials_linked') }}
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
        {{ sorted_distinct_list("l.provider_id || '/' || l.program_id", 'l.program_id is not null') }}
            as linked_programs,
        case
            when bool_or(l.link_method = 'CTID') then 'CTID'
            when bool_or(l.link_method = 'CIP_LEVEL') then 'CIP_LEVEL'
        end as link_method
    from definitions as d
    left join links as l using (definition_key)
    group by all
)

select * from final
