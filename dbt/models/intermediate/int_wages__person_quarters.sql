-- Person-quarter earnings (docs/reporting_rules.md §6): wages summed over all employers, after
-- amendments; the primary employer is the highest-paying one (equal wages: the lower employer
-- account), whose NAICS sector feeds top_industry_q4. Employed = earnings > 0.
--
-- Incremental by quarter like int_wages__records (macros/wage_slices.sql): the quarters whose
-- digest in int_wages__records is not the one this model's rows carry are rebuilt from it. It waits
-- for the tests of the landed rows it is built from (int_wages__lake_slice):
-- depends_on: {{ ref('int_wages__lake_slice') }}
{{ config(**wage_slice_config()) }}
with records as (
    select * from {{ ref('int_wages__records') }}
),

record_slices as (
    select distinct quarter_index, inputs_digest from records
),

pending as (
    {{ pending_slices('record_slices') }}
),

wages as (
    select * from records
    where quarter_index in (select quarter_index from pending)
),

earnings as (
    select person_key, quarter_index, sum(wage_amount) as earnings, count(*) as n_employers,
           any_value(inputs_digest) as inputs_digest
    from wages
    group by person_key, quarter_index
),

primary_employer as (
    select person_key, quarter_index, employer_account as primary_employer_account,
           naics_sector as primary_naics_sector
    from wages
    qualify row_number() over (
        partition by person_key, quarter_index order by wage_amount desc, employer_account asc nulls last
    ) = 1
),

final as (
    select
        e.person_key,
        e.quarter_index,
        e.earnings,
        e.earnings > 0 as is_employed,
        e.n_employers,
        p.primary_employer_account,
        p.primary_naics_sector,
        e.inputs_digest,
        {{ slice_built_at() }} as built_at
    from earnings as e
    join primary_employer as p using (person_key, quarter_index)
)

select * from final
