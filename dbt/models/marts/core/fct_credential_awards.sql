-- One row per award or credential earned in a catalog program (CEDS: Credential Award /
-- Postsecondary Academic Award): a spell with a non-blank award/credential date, whatever its exit
-- reason (docs/reporting_rules.md §7.1). completion_year is the award year of the award date. Grain: spell_id.
with spells as (
    select * from {{ ref('fct_enrollment_spells') }}
    where award_date is not null
)

select
    spell_id,
    person_key,
    provider_id,
    program_id,
    credit_type,
    credential_level,
    is_ssn_key,
    record_source,
    source_format,
    sex,
    race_ethnicity,
    birth_year,
    start_date,
    award_date,
    {{ award_year('award_date') }} as completion_year
from spells
