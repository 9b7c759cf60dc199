-- Grain of dq_issues: one row per (error_code, provider_id, file_name). Returns each duplicated key with its row count.
select error_code, provider_id, file_name, count(*) as n_rows
from {{ ref('dq_issues') }}
group by error_code, provider_id, file_name
having count(*) > 1
