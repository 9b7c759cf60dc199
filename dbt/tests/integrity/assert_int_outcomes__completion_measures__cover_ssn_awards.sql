-- Every award of an SSN-keyed learner has its wage measures: a missing (person_key, completion_date)
-- row in int_outcomes__completion_measures would silently drop a completer from every wage
-- denominator of program_outcomes, statewide_outcomes and wpell_program_outcomes.
with ssn_awards as (
    select distinct person_key, award_date as completion_date
    from {{ ref('fct_credential_awards') }}
    where is_ssn_key
),

measures as (
    select person_key, completion_date from {{ ref('int_outcomes__completion_measures') }}
)

select a.person_key, a.completion_date
from ssn_awards as a
left join measures as m using (person_key, completion_date)
where m.person_key is null
