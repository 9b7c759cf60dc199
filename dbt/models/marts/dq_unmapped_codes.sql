-- Source codes no crosswalk knows (LER_SPEC.md §3): kept, flagged and counted here, never dropped
-- silently. One row per code system x source code x provider. Grain: (code_system, source_code,
-- provider_id).
with records as (
    select * from {{ ref('int_education__records') }}
)

select
    code_system,
    coalesce(source_code, '(missing)') as source_code,
    provider_id,
    count(*) as n_records,
    min(file_name) as first_file_name
from records
where not is_code_known or source_code is null and source_format not in ('csv')
group by all
order by code_system, source_code, provider_id
