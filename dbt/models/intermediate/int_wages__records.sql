-- UI wage records after amendments (docs/submission_manual.md §2.3, §1): one row per (person,
-- employer account, year, quarter); the later file wins, a later 0 is a correction to zero, not a
-- deletion.
--
-- Incremental by quarter (macros/wage_slices.sql): a nightly run rebuilds only the quarters whose
-- inputs changed (int_wages__quarter_inputs), each from every lake row of that quarter, so the
-- later-file rule holds across nights exactly as in one full load. The checks that used to scan
-- every row are enforced constraints (not null, ranges, the HMAC form of person_key: checked on
-- every insert) and the grain test runs on the slice just built (_intermediate__models.yml).
{{ config(**wage_slice_config()) }}
with inputs as (
    select quarter_index, wage_year, wage_quarter, inputs_digest from {{ ref('int_wages__quarter_inputs') }}
),

-- the lake's rows: read again by each part of latest_by_key rather than kept whole (inline_cte)
wages as {{ inline_cte() }} (
    select * from {{ ref('stg_lake__wages') }}
),

pending as (
    {{ pending_slices('inputs') }}
),

slice_rows as {{ inline_cte() }} (
    select w.*, i.quarter_index, i.inputs_digest
    from wages as w
    join inputs as i using (wage_year, wage_quarter)
    where i.quarter_index in (select quarter_index from pending)
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
