{{ config(alias='wpell_program_outcomes') }}
-- Published, suppressed copy of marts.wpell_program_outcomes (LER_SPEC.md §8).
{{ suppressed_select(
    ref('wpell_program_outcomes'),
    counts=['n_cohort', 'n_excluded', 'n_completers_150', 'n_placement_base', 'n_placed_180', 'n_earnings_y3'],
    stats={
        'completion_rate': ['(n_cohort - n_excluded)', 4],
        'placement_rate': ['n_placement_base', 4],
        'median_earnings_y3': ['n_earnings_y3', 0],
        'value_added_earnings': ['n_earnings_y3', 0],
    },
) }}
