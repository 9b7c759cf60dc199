-- Grain of int_reference__programs: one row per (provider_id, program_id). Returns each duplicated key with its row count.
select provider_id, program_id, count(*) as n_rows
from {{ ref('int_reference__programs') }}
group by provider_id, program_id
having count(*) > 1
