-- Person-quarter earnings of the SSN-keyed learners (docs/reporting_rules.md §6): wages summed over
-- all employers, after amendments; the primary employer is the highest-paying one (equal wages: the
-- lower employer account), whose NAICS sector feeds top_industry_q4. Employed = earnings > 0.
--
-- Incremental by quarter like int_wages__records (macros/wage_slices.sql): a quarter is rebuilt
-- when its digest in int_wages__records (the lake's files and the learners) is not what its rows
-- carry. It waits for the tests of the landed rows it is built from (int_wages__lake_slice):
-- depends_on: {{ ref('int_wages__lake_slice') }}
{{ config(**wage_slice_config("person_quarter_slice_inputs()")) }}
-- read again by the digests and the sums rather than kept whole (inline_cte)
with records as {{ inline_cte() }} (
    select * from {{ ref('int_wages__records') }}
),

record_slices as (
    select * from {{ person_quarter_slice_inputs() }} as slices
),

pending as (
    {{ pending_slices('record_slices') }}
),

-- the records are the SSN-keyed learners' only (int_wages__records)
wages as (
    select w.*, p.inputs_digest as slice_digest
    from records as w
    join pending as p using (quarter_index)
),

-- One pass over the quarter's records: the sums and the primary employer in the same group by (a
-- row_number window beside a group by sorted the 4 M rows a second time and joined the two).
-- The primary employer: wage_amount descending, then employer_account ascending, nulls last in
-- both (as the order by `wage_amount desc, employer_account asc nulls last` it replaces; neither
-- is null here, the contract of int_wages__records enforces it). A person has one record per
-- employer account in a quarter, so no two rows tie on both keys.
person_quarter as (
    select
        person_key,
        quarter_index,
        sum(wage_amount) as earnings,
        count(*) as n_employers,
        any_value(slice_digest) as inputs_digest,
        {{ first_by(
            {'employer_account': 'employer_account', 'naics_sector': 'naics_sector'},
            ['wage_amount is null', '-wage_amount', 'employer_account is null', 'employer_account']
        ) }} as primary_employer
    from wages
    group by person_key, quarter_index
),

final as (
    select
        person_key,
        quarter_index,
        earnings,
        earnings > 0 as is_employed,
        n_employers,
        primary_employer.employer_account as primary_employer_account,
        primary_employer.naics_sector as primary_naics_sector,
        inputs_digest,
        {{ slice_built_at() }} as built_at
    from person_quarter
)

select * from final
