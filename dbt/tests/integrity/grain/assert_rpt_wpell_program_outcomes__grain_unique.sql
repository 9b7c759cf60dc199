-- Grain of rpt_wpell_program_outcomes: one row per (provider_id, program_id, cohort_year). Returns each duplicated key with its row count.
select provider_id, program_id, cohort_year, count(*) as n_rows
from {{ ref('rpt_wpell_program_outcomes') }}
group by provider_id, program_id, cohort_year
having count(*) > 1
