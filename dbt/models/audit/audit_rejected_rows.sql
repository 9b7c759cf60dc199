{{ config(alias='rejected_rows') }}
-- Every rejected row of the latest run (docs/submission_manual.md §5): file, line number, first failing field,
-- every reason, and the record with PII fields (SSN, names, birth date) shown as <redacted>.
-- Grain: (file_name, line_number).
select * from {{ ref('stg_lake_audit__rejected_rows') }}
order by file_name, line_number
