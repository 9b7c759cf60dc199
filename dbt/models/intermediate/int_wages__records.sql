-- UI wage records after amendments (docs/submission_manual.md §2.3, §1): one row per (person, employer account,
-- year, quarter); the later file wins, a later 0 is a correction to zero, not a deletion.
with wages as (
    select * from {{ ref('stg_lake__wages') }}
),

latest as (
    {{ latest_by_key('wages', ['person_key', 'employer_account', 'wage_year', 'wage_quarter']) }}
)

select
    person_key,
    employer_account,
    employer_fein,
    wage_year,
    wage_quarter,
    {{ quarter_index_of('wage_year', 'wage_quarter') }} as quarter_index,
    wage_amount,
    naics_code,
    left(naics_code, 2) as naics_sector,
    county_fips,
    hours_worked,
    file_name
from latest
