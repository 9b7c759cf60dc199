-- UI wage records after amendments hold what the UI Wage Extract allows (docs/submission_manual.md §2.3): wages
-- >= 0 (a correction to zero is 0, never negative), year 1990-2100, quarter 1-4. Ingestion rejects
-- anything else, so a row here means a reader let a bad value through. Returns the offending keys.
-- Checks the quarters the latest build wrote (macros/wage_slices.sql): the others were checked when
-- they were built and have not changed since.
select person_key, employer_account, wage_year, wage_quarter, wage_amount
from {{ ref('int_wages__records') }}
where quarter_index in {{ latest_slice(ref('int_wages__records')) }}
    and (wage_amount < 0
        or wage_year not between 1990 and 2100
        or wage_quarter not between 1 and 4)
