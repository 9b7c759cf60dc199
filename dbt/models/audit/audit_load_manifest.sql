{{ config(alias='load_manifest') }}
-- One row per landing-zone file of the latest run (docs/submission_manual.md §5): its status, row counts
-- (rows_read = rows_loaded + rows_rejected + rows_duplicate) and message. For a QUARANTINED file
-- nothing loaded, so every read row that was not a duplicate counts as rejected; the rows with
-- problems of their own are listed in audit.rejected_rows. Grain: file_path.
select * from {{ ref('stg_lake_audit__load_manifest') }}
order by file_seq
