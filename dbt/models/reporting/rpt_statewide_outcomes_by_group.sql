{{ config(alias='statewide_outcomes_by_group') }}
-- Published, suppressed copy of marts.statewide_outcomes_by_group (docs/reporting_rules.md §7.5,
-- §8, macro suppressed_outcomes). Rule 3: the groups of one group_dimension are the parts of their
-- statewide row, as published in reporting.statewide_outcomes; each dimension is its own family.
{{ suppressed_outcomes(
    ref('statewide_outcomes_by_group'),
    grain=['credit_type', 'credential_level', 'completion_year', 'group_dimension', 'group_value'],
    measures=legislative_outcome_measures(),
    wholes={
        'relation': ref('rpt_statewide_outcomes'),
        'keys': ['credit_type', 'credential_level', 'completion_year'],
        'family': ['group_dimension'],
    },
) }}
