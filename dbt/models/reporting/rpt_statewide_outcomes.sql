{{ config(alias='statewide_outcomes') }}
-- Published, suppressed copy of marts.statewide_outcomes (LER_SPEC.md §8).
{{ suppressed_select(
    ref('statewide_outcomes'),
    counts=['n_completers', 'n_unmatchable', 'n_observed_q2', 'n_employed_q2', 'n_observed_q4', 'n_employed_q4',
            'y1_n_attached', 'y3_n_attached', 'y5_n_attached'],
    stats=legislative_outcome_stats(),
) }}
