-- The consent in force per learner and scope (docs/submission_manual.md §2.5,
-- docs/learner_records.md): of the rows whose effective_date is on or before the run date, the one
-- with the latest effective_date; on a tie the later file, then the later line. No row means no
-- consent. Read only by `ler learner-record(s)`: no outcome table depends on it. Because it is built
-- at each run, a consent or a revocation takes effect from the next run. Grain: (person_key, scope).
with consent as (
    select * from {{ ref('stg_lake__consent') }}
),

in_force as (
    select
        person_key,
        scope,
        status,
        effective_date,
        file_name,
        file_seq,
        line_number
    from consent
    where effective_date <= current_date and person_key is not null
    qualify row_number() over (
        partition by person_key, scope
        order by effective_date desc, file_seq desc, line_number desc
    ) = 1
)

select * from in_force
