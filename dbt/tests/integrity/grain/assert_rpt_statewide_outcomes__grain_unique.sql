-- Grain of rpt_statewide_outcomes: one row per (credit_type, credential_level, completion_year). Returns each duplicated key with its row count.
select credit_type, credential_level, completion_year, count(*) as n_rows
from {{ ref('rpt_statewide_outcomes') }}
group by credit_type, credential_level, completion_year
having count(*) > 1
