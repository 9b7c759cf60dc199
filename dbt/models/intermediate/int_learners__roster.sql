-- Each provider's own learner ids mapped to person keys, from its CSV extracts (learners there are
-- keyed by SSN or name + birth date). Open Badges / CLR subjects identified only by studentId or
-- sisSourcedId are matched here (docs/submission_manual.md §4). An id seen with an SSN key prefers that key.
-- Ids are never held in clear: both sides carry local_id_key, the HMAC of "LID:" + provider_id +
-- "|" + id computed at ingestion (docs/submission_manual.md §4), so a badge subject's studentId
-- matches the same provider's CSV student_id / learner_id.
with transcripts as (
    select provider_id, local_id_key, person_key, is_ssn_key, file_seq, line_number
    from {{ ref('stg_lake__transcripts') }}
    where source_format = 'csv'
),

noncredit as (
    select provider_id, local_id_key, person_key, is_ssn_key, file_seq, line_number
    from {{ ref('stg_lake__noncredit') }}
    where source_format = 'csv'
),

unioned as (
    select * from transcripts
    union all
    select * from noncredit
),

final as (
    select provider_id, local_id_key, person_key, is_ssn_key
    from unioned
    where local_id_key is not null and person_key is not null
    qualify row_number() over (
        partition by provider_id, local_id_key
        order by is_ssn_key desc, file_seq desc, line_number desc
    ) = 1
)

select * from final
