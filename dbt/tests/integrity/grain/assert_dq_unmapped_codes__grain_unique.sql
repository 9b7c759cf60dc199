-- Grain of dq_unmapped_codes: one row per (code_system, source_code, provider_id). Returns each duplicated key with its row count.
select code_system, source_code, provider_id, count(*) as n_rows
from {{ ref('dq_unmapped_codes') }}
group by code_system, source_code, provider_id
having count(*) > 1
