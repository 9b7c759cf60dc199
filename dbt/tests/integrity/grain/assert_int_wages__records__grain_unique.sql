-- Grain of int_wages__records: one row per (person_key, employer_account, wage_year, wage_quarter). Returns each duplicated key with its row count.
select person_key, employer_account, wage_year, wage_quarter, count(*) as n_rows
from {{ ref('int_wages__records') }}
group by person_key, employer_account, wage_year, wage_quarter
having count(*) > 1
