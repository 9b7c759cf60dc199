-- CTDL credential descriptions in force: the latest per CTID (or per URI when a description has no
-- CTID), with the dictionary level where the CTDL class decides it.
with definitions as (
    select *, coalesce(ctid, credential_uri, file_name || ':' || {{ to_text('line_number') }}) as definition_key
    from {{ ref('stg_lake__credential_definitions') }}
),

xwalk as (
    select * from {{ ref('xwalk_ctdl_class') }}
),

latest as (
    {{ latest_by_key('definitions', ['definition_key']) }}
),

final as (
    select
        latest.definition_key,
        latest.ctid,
        latest.credential_uri,
        latest.credential_name,
        latest.ctdl_class,
        xwalk.credential_level,
        xwalk.source_code is not null as is_class_mapped,
        latest.owner_uri,
        latest.owner_name,
        latest.cip_codes,
        latest.soc_codes,
        latest.naics_codes,
        latest.credential_status,
        latest.subject_webpage,
        latest.file_name
    from latest
    left join xwalk on xwalk.source_code = latest.ctdl_class
)

select * from final
