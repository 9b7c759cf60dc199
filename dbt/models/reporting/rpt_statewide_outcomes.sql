{{ config(alias='statewide_outcomes') }}
-- Published, suppressed copy of marts.statewide_outcomes (docs/reporting_rules.md §8, macro
-- suppressed_outcomes). A statewide row is a whole for rule 3 (its program rows and its groups are
-- the parts, suppressed in rpt_program_outcomes and rpt_statewide_outcomes_by_group); it is never a
-- part itself, so rules 1, 2, 4 and 5 are all that change it.
{{ suppressed_outcomes(
    ref('statewide_outcomes'),
    grain=['credit_type', 'credential_level', 'completion_year'],
    measures=legislative_outcome_measures(),
) }}
