-- Grain of stg_lake_audit__rejected_rows: one row per (file_name, line_number). Returns each duplicated key with its row count.
select file_name, line_number, count(*) as n_rows
from {{ ref('stg_lake_audit__rejected_rows') }}
group by file_name, line_number
having count(*) > 1
