-- The load manifest keeps its promises (docs/submission_manual.md §5): rows_read = rows_loaded + rows_rejected +
-- rows_duplicate for every file; QUARANTINED and DUPLICATE files load nothing; LOADED files have no
-- rejects and LOADED_WITH_REJECTS files have some; no file that loaded has more rejected rows than
-- LER_MAX_REJECT_RATE (default 0.10: rejected / read > 0.10 quarantines the whole file). The rate in
-- force is read from this run's row of run_metadata (the latest finished_at: run_metadata is built
-- before this test in the same build) from its settings JSON, else the default.
-- Returns each file breaking a rule.
with manifest as (
    select * from {{ ref('audit_load_manifest') }}
),

this_run as (
    select settings from {{ ref('run_metadata') }} order by finished_at desc limit 1
),

setting as (
    select coalesce(
        (select try_cast(json_extract_string(settings, '$.max_reject_rate') as double) from this_run),
        0.10
    ) as max_reject_rate
)

select file_path, status, 'rows_read <> loaded + rejected + duplicate' as broken_rule
from manifest
where rows_read <> rows_loaded + rows_rejected + rows_duplicate
union all
select file_path, status, 'a quarantined or duplicate file loaded rows'
from manifest
where status in ('QUARANTINED', 'DUPLICATE') and rows_loaded > 0
union all
select file_path, status, 'status does not match rows_rejected'
from manifest
where (status = 'LOADED' and rows_rejected > 0) or (status = 'LOADED_WITH_REJECTS' and rows_rejected = 0)
union all
select file_path, status, 'more rejected rows than LER_MAX_REJECT_RATE but not quarantined'
from manifest
cross join setting
where status in ('LOADED', 'LOADED_WITH_REJECTS') and rows_read > 0
    and rows_rejected::double / rows_read > setting.max_reject_rate
