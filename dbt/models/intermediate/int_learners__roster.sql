-- Each provider's own learner ids mapped to person keys, from its CSV extracts (learners there are
-- keyed by SSN or name + birth date). Open Badges / CLR subjects identified only by studentId or
-- sisSourcedId are matched here (LER_SPEC.md §4). An id seen with an SSN key prefers that key.
with transcripts as (
    select provider_id, local_learner_id, person_key, is_ssn_key, file_seq, line_number
    from {{ ref('stg_lake__transcripts') }}
    where source_format = 'csv'
),

noncredit as (
    select provider_id, local_learner_id, person_key, is_ssn_key, file_seq, line_number
    from {{ ref('stg_lake__noncredit') }}
    where source_format = 'csv'
),

unioned as (
    select * from transcripts
    union all
    select * from noncredit
),

final as (
    select provider_id, local_learner_id, person_key, is_ssn_key
    from unioned
    where local_learner_id is not null and person_key is not null
    qualify row_number() over (
        partition by provider_id, local_learner_id
        order by is_ssn_key desc, file_seq desc, line_number desc
    ) = 1
)

select * from final
