-- UI wage records after amendments (docs/submission_manual.md §2.3, §1) of the SSN-keyed learners
-- (docs/reporting_rules.md §6, macro wage_learners): one row per (person, employer account, year,
-- quarter); the later file wins, a later 0 is a correction to zero, not a deletion. The lake keeps
-- every worker's rows; most of a state's workers are in no education record, and keeping their
-- records here cost most of a state-size build (62 s of 50 M rows written, against 7 s) and fed
-- nothing.
--
-- Incremental by quarter (macros/wage_slices.sql): a nightly run rebuilds only the quarters whose
-- inputs changed (the lake's files, int_wages__quarter_inputs, or the learners), each from every
-- lake row of that quarter, so the later-file rule holds across nights exactly as in one full load.
-- The checks that used to scan every row are enforced constraints (not null, ranges: checked on
-- every insert); the grain test and the HMAC form of person_key run on the slice just built
-- (_intermediate__models.yml).
{{ config(**wage_slice_config("record_slice_inputs()")) }}
with learners as (
    {{ wage_learners() }}
),

-- a slice's digest: its lake inputs and the learners (macro record_slice_inputs)
inputs as (
    select * from {{ record_slice_inputs('learners') }} as slices
),

wages as (
    select * from {{ ref('stg_lake__wages') }}
),

pending as (
    {{ pending_slices('inputs') }}
),

-- the learners' rows of the pending quarters: a few percent of the lake's, kept whole for the
-- parts of latest_by_key rather than read from the lake by each (kept_cte)
slice_rows as {{ kept_cte() }} (
    select w.*, i.quarter_index, i.inputs_digest
    from wages as w
    join inputs as i using (wage_year, wage_quarter)
    where i.quarter_index in (select quarter_index from pending)
        and w.person_key in (select person_key from learners)
),

latest as (
    {{ latest_by_key('slice_rows', ['person_key', 'employer_account', 'wage_year', 'wage_quarter'], mostly_unique=true) }}
),

final as (
    select
        person_key,
        employer_account,
        employer_fein,
        wage_year,
        wage_quarter,
        quarter_index,
        wage_amount,
        naics_code,
        left(naics_code, 2) as naics_sector,
        county_fips,
        hours_worked,
        file_name,
        inputs_digest,
        {{ slice_built_at() }} as built_at
    from latest
)

select * from final
