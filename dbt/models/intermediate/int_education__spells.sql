-- Enrollment spells in catalog programs after amendments (docs/submission_manual.md §1): one row per natural key
-- (provider, the provider's learner id, program, start date), the later file winning and, within a
-- file, the later line. A badge with no learner id is keyed by its person key. The learner id is
-- its local_id_key (docs/submission_manual.md §4): one key per (provider, id), so the natural key
-- keeps its meaning without the id in clear.
with tied as (
    select * from {{ ref('int_education__tied') }}
    where program_id is not null
),

latest as (
    select *
    from tied
    qualify row_number() over (
        partition by record_source, provider_id, coalesce(local_id_key, 'person:' || person_key),
            program_id, start_date
        order by file_seq desc, line_number desc
    ) = 1
)

select
    md5(concat_ws('|', record_source, provider_id, coalesce(local_id_key, 'person:' || person_key),
                  program_id, {{ to_text('start_date') }})) as spell_id,
    *
from latest
