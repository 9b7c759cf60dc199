-- Grain of int_outcomes__completion_measures: one row per (person_key, completion_date). Returns each duplicated key with its row count.
select person_key, completion_date, count(*) as n_rows
from {{ ref('int_outcomes__completion_measures') }}
group by person_key, completion_date
having count(*) > 1
