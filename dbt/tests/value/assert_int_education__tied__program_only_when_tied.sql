-- A record carries a catalog program only when it is a CSV row of that program (CATALOG) or a
-- credential tied by (provider_id, cip_code, credential level) (TIED). A record that is not a
-- credential (secondary award, high-school transcript, learning achievement) must not become an
-- enrollment spell: it would join a Workforce Pell cohort as a member who never completes.
-- Returns the tie_status and number of such records.
select tie_status, source_format, count(*) as n_records
from {{ ref('int_education__tied') }}
where program_id is not null and tie_status not in ('CATALOG', 'TIED')
group by all
