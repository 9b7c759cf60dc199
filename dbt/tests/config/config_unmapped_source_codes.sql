-- Config test (one for all crosswalks): every source code that no crosswalk seed maps to the
-- credential data dictionary (docs/submission_manual.md §3), by code system and provider, with its record count.
-- Such records are kept and flagged but never count as awards, so each code listed here is a
-- decision for the data office: add it to its xwalk_*.csv seed, or confirm it is not a credential.
select code_system, source_code, provider_id, n_records, first_file_name
from {{ ref('dq_unmapped_codes') }}
