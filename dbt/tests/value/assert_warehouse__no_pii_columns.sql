-- No relation of the warehouse has a column for a PII field of the file contracts (ssn, ssn_hash,
-- ssn_salt, first_name, last_name, middle_name, birth_date): "no SSN, name or birth date leaves the
-- landing zone in clear ... not in any DuckDB file" (docs/submission_manual.md §4). Birth year may be kept.
-- It reads the catalog, so it depends on the last models built to run after them:
-- depends_on: {{ ref('rpt_program_outcomes') }}, {{ ref('rpt_statewide_outcomes') }},
-- {{ ref('rpt_wpell_program_outcomes') }}, {{ ref('rpt_statewide_outcomes_by_group') }},
-- {{ ref('audit_rejected_rows') }}
select table_schema, table_name, column_name
from information_schema.columns
where table_catalog = current_database()
    and lower(column_name) in ('ssn', 'ssn_hash', 'ssn_salt', 'first_name', 'last_name', 'middle_name', 'birth_date')
