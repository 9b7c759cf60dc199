-- Grain of stg_lake__noncredit: one row per (file_seq, line_number). Returns each duplicated key with its row count.
select file_seq, line_number, count(*) as n_rows
from {{ ref('stg_lake__noncredit') }}
group by file_seq, line_number
having count(*) > 1
