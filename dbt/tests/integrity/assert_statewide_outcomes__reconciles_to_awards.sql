-- statewide_outcomes has one row per (credit type, credential level, completion year) with an award,
-- and its n_completers counts each learner once per group (docs/reporting_rules.md §7.3). Recounted here from
-- fct_credential_awards; returns every group whose row is missing, extra, or has another count.
with recount as (
    select credit_type, credential_level, completion_year, count(distinct person_key) as n_completers
    from {{ ref('fct_credential_awards') }}
    group by all
),

published as (
    select credit_type, credential_level, completion_year, n_completers
    from {{ ref('statewide_outcomes') }}
)

select
    coalesce(r.credit_type, p.credit_type) as credit_type,
    coalesce(r.credential_level, p.credential_level) as credential_level,
    coalesce(r.completion_year, p.completion_year) as completion_year,
    r.n_completers as n_completers_recounted,
    p.n_completers as n_completers_in_mart
from recount as r
full outer join published as p using (credit_type, credential_level, completion_year)
where r.n_completers is distinct from p.n_completers
