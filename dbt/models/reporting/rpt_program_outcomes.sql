{{ config(alias='program_outcomes') }}
-- Published, suppressed copy of marts.program_outcomes (docs/reporting_rules.md §8, macro
-- suppressed_outcomes). Rule 3: the program rows of one credit type, credential level and
-- completion year are the parts of that statewide row, as published in reporting.statewide_outcomes.
{{ suppressed_outcomes(
    ref('program_outcomes'),
    grain=['provider_id', 'program_id', 'completion_year'],
    measures=legislative_outcome_measures(),
    wholes={
        'relation': ref('rpt_statewide_outcomes'),
        'keys': ['credit_type', 'credential_level', 'completion_year'],
    },
) }}
