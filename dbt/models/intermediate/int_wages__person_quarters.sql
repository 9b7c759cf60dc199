-- Person-quarter earnings (docs/reporting_rules.md §6): wages summed over all employers, after amendments; the
-- primary employer is the highest-paying one (equal wages: the lower employer account), whose NAICS
-- sector feeds top_industry_q4. Employed = earnings > 0.
with wages as (
    select * from {{ ref('int_wages__records') }}
),

earnings as (
    select person_key, quarter_index, sum(wage_amount) as earnings, count(*) as n_employers
    from wages
    group by person_key, quarter_index
),

primary_employer as (
    select person_key, quarter_index, employer_account as primary_employer_account,
           naics_sector as primary_naics_sector
    from wages
    qualify row_number() over (
        partition by person_key, quarter_index order by wage_amount desc, employer_account asc
    ) = 1
)

select
    e.person_key,
    e.quarter_index,
    e.earnings,
    e.earnings > 0 as is_employed,
    e.n_employers,
    p.primary_employer_account,
    p.primary_naics_sector
from earnings as e
join primary_employer as p using (person_key, quarter_index)
