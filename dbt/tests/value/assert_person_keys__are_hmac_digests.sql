-- Learners are identified only by the hex HMAC-SHA256 person key of docs/submission_manual.md §4: 64 lowercase
-- hex digits. Anything else in person_key (a clear SSN, a name, an unhashed id) is a privacy breach
-- and would also break matching to wages. Checks every education record and the wage records of
-- the quarters the latest build wrote (macros/wage_slices.sql: the other quarters were checked when
-- they were built and have not changed since).
-- Returns only the table and the number of bad keys, never the keys.
select 'int_education__records' as relation, count(*) as n_bad_keys
from {{ ref('int_education__records') }}
where not regexp_full_match(person_key, '[0-9a-f]{64}')
having count(*) > 0
union all
select 'int_wages__records', count(*)
from {{ ref('int_wages__records') }}
where quarter_index in {{ latest_slice(ref('int_wages__records')) }}
    and not regexp_full_match(person_key, '[0-9a-f]{64}')
having count(*) > 0
