-- The equity breakdown (docs/reporting_rules.md §7.5, WIOA §116(d)(2)(B) style): one row per credit
-- type x credential level x completion year x group_dimension x group_value with at least one
-- completer, with the measures of statewide_outcomes (macro completion_outcomes).
-- Grain: (credit_type, credential_level, completion_year, group_dimension, group_value).
--
-- Business rules:
-- * The completers are those of the statewide row (macro first_award_per_learner: each learner
--   once, at the earliest award in the credit type, level and year), split by the sex, race /
--   ethnicity and age at completion of the record that carries that award (macro
--   equity_group_rows), so the groups of one dimension partition the statewide row.
-- * SEX blank -> U; RACE_ETHNICITY blank -> UNK; AGE_AT_COMPLETION from year(award date) - birth
--   year, UNKNOWN without a birth year.
with awards as (
    select * from {{ ref('fct_credential_awards') }}
),

statewide_completers as (
    {{ first_award_per_learner('awards', ['credit_type', 'credential_level']) }}
),

grouped as (
    {{ equity_group_rows('statewide_completers') }}
),

{{ completion_outcomes('grouped', ['credit_type', 'credential_level', 'group_dimension', 'group_value']) }}

select * from outcomes order by credit_type, credential_level, completion_year, group_dimension, group_value
