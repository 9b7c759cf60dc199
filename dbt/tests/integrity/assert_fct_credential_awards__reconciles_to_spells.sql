-- fct_credential_awards holds exactly the enrollment spells with a non-blank award date ("an award
-- is a non-blank award/credential date, whatever the exit reason", docs/reporting_rules.md §7.1). Returns the
-- spells on one side only.
with awarded_spells as (
    select spell_id from {{ ref('fct_enrollment_spells') }} where award_date is not null
),

awards as (
    select spell_id from {{ ref('fct_credential_awards') }}
)

select coalesce(s.spell_id, a.spell_id) as spell_id,
       s.spell_id is not null as is_awarded_spell,
       a.spell_id is not null as is_award
from awarded_spells as s
full outer join awards as a using (spell_id)
where s.spell_id is null or a.spell_id is null
