-- Statewide legislative report (docs/reporting_rules.md §7.3): one row per credit type x credential level x
-- completion year, a learner counted once per group (the earliest award in the group and year).
-- Grain: (credit_type, credential_level, completion_year).
with awards as (
    select * from {{ ref('fct_credential_awards') }}
),

{{ completion_outcomes('awards', ['credit_type', 'credential_level']) }}

select * from outcomes order by credit_type, credential_level, completion_year
