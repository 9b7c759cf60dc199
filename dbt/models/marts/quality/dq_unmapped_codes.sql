-- Source codes no crosswalk knows (docs/submission_manual.md §3): kept, flagged and counted here, never dropped
-- silently. One row per code system x source code x provider. A record without any code (a PESC
-- record without an award) is not an unknown code: marts.dq_issues reports it as NO_AWARD_CODE.
-- Grain: (code_system, source_code, provider_id).
with records as (
    select * from {{ ref('int_education__records') }}
)

select
    code_system,
    source_code,
    provider_id,
    count(*) as n_records,
    min(file_name) as first_file_name
from records
where source_code is not null and not is_code_known
group by all
order by code_system, source_code, provider_id
