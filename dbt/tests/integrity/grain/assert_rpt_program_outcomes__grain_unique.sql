-- Grain of rpt_program_outcomes: one row per (provider_id, program_id, completion_year). Returns each duplicated key with its row count.
select provider_id, program_id, completion_year, count(*) as n_rows
from {{ ref('rpt_program_outcomes') }}
group by provider_id, program_id, completion_year
having count(*) > 1
