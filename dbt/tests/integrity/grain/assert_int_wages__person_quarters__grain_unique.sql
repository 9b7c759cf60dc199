-- Grain of int_wages__person_quarters: one row per (person_key, quarter_index). Returns each duplicated key with its row count.
select person_key, quarter_index, count(*) as n_rows
from {{ ref('int_wages__person_quarters') }}
group by person_key, quarter_index
having count(*) > 1
