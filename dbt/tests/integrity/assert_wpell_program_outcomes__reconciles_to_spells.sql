-- wpell_program_outcomes has one row per Workforce Pell candidate program and cohort year with at
-- least one member, and n_cohort counts each learner once (docs/reporting_rules.md §7.1). Recounted here from
-- fct_enrollment_spells and dim_programs; returns every group whose row is missing, extra, or has
-- another count.
with candidates as (
    select provider_id, program_id from {{ ref('dim_programs') }} where is_wpell_candidate
),

recount as (
    select s.provider_id, s.program_id, s.start_award_year as cohort_year, count(distinct s.person_key) as n_cohort
    from {{ ref('fct_enrollment_spells') }} as s
    join candidates as c using (provider_id, program_id)
    group by all
),

published as (
    select provider_id, program_id, cohort_year, n_cohort
    from {{ ref('wpell_program_outcomes') }}
)

select
    coalesce(r.provider_id, p.provider_id) as provider_id,
    coalesce(r.program_id, p.program_id) as program_id,
    coalesce(r.cohort_year, p.cohort_year) as cohort_year,
    r.n_cohort as n_cohort_recounted,
    p.n_cohort as n_cohort_in_mart
from recount as r
full outer join published as p using (provider_id, program_id, cohort_year)
where r.n_cohort is distinct from p.n_cohort
