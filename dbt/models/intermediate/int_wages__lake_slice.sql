-- The lake's wage rows, every version (before amendments), of the quarters whose lake rows the
-- latest build found changed (int_wages__quarter_inputs.changed_at: a new, amended, late or removed
-- file), plus any row without a year or quarter (which no quarter would hold). The data tests of
-- the landed wage rows (grain, required fields, codes: docs/submission_manual.md §2.3, §2.4) run on
-- this view, so a nightly run checks the rows that
-- changed instead of every wage row (dbt/macros/wage_slices.sql), also on a night whose new
-- learners rebuild every quarter of int_wages__records; a first build or a full refresh finds
-- every quarter changed, and then they see every row. int_wages__person_quarters waits for these
-- tests, so a failure stops the outcome tables as a test on stg_lake__wages did.
{{ config(materialized='view') }}
with wages as (
    select * from {{ ref('stg_lake__wages') }}
),

final as (
    select *
    from wages
    where wage_year is null
        or wage_quarter is null
        or {{ quarter_index_of('wage_year', 'wage_quarter') }}
            in {{ latest_slice(ref('int_wages__quarter_inputs'), 'changed_at') }}
)

select * from final
