-- "No SSN, name or birth date leaves the landing zone in clear ... rejected-row tables show such
-- fields as <redacted>" (docs/submission_manual.md §4). Every PII field of the file contracts (ssn, ssn_hash,
-- ssn_salt, first_name, last_name, birth_date) that appears in a rejected record must read
-- <redacted>. Returns only file and line of an offending record, never its values.
{% set pii_fields = ['ssn', 'ssn_hash', 'ssn_salt', 'first_name', 'last_name', 'birth_date'] %}
select file_name, line_number
from {{ ref('audit_rejected_rows') }}
where not json_valid(record)
    {%- for f in pii_fields %}
    or coalesce(json_extract_string(record, '$.{{ f }}'), '<redacted>') <> '<redacted>'
    {%- endfor %}
