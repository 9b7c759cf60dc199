{{ config(alias='wpell_program_outcomes') }}
-- Published, suppressed copy of marts.wpell_program_outcomes (docs/reporting_rules.md §8, macro
-- suppressed_outcomes). Rule 3 inside the row: n_cohort is hidden whenever n_excluded is, since
-- n_completers_150 / completion_rate gives back their difference. The program facts, flags, status
-- and reasons pass through: they are the public eligibility decision.
{{ suppressed_outcomes(
    ref('wpell_program_outcomes'),
    grain=['provider_id', 'program_id', 'cohort_year'],
    measures=[
        {'column': 'n_cohort'},
        {'column': 'n_excluded'},
        {'column': 'n_completers_150'},
        {'column': 'completion_rate', 'denominator': 'n_cohort - n_excluded', 'decimals': 4,
         'follows': ['n_completers_150']},
        {'column': 'n_placement_base'},
        {'column': 'n_placed_180'},
        {'column': 'placement_rate', 'denominator': 'n_placement_base', 'decimals': 4,
         'follows': ['n_placed_180', 'n_placement_base']},
        {'column': 'n_earnings_y3'},
        {'column': 'median_earnings_y3', 'denominator': 'n_earnings_y3', 'decimals': 0},
        {'column': 'value_added_earnings', 'denominator': 'n_earnings_y3', 'decimals': 0},
    ],
    pairs={'n_cohort': 'n_excluded'},
) }}
