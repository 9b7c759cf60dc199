-- program_outcomes has one row per (provider, program, completion year) with an award, and its
-- n_completers counts each learner once (docs/reporting_rules.md §7.2). Recounted here from
-- fct_credential_awards; returns every group whose row is missing, extra, or has another count.
with recount as (
    select provider_id, program_id, completion_year, count(distinct person_key) as n_completers
    from {{ ref('fct_credential_awards') }}
    group by all
),

published as (
    select provider_id, program_id, completion_year, n_completers
    from {{ ref('program_outcomes') }}
)

select
    coalesce(r.provider_id, p.provider_id) as provider_id,
    coalesce(r.program_id, p.program_id) as program_id,
    coalesce(r.completion_year, p.completion_year) as completion_year,
    r.n_completers as n_completers_recounted,
    p.n_completers as n_completers_in_mart
from recount as r
full outer join published as p using (provider_id, program_id, completion_year)
where r.n_completers is distinct from p.n_completers
