-- The counts of marts.wpell_program_outcomes nest as docs/reporting_rules.md §7.1 defines them, and every rate
-- is the stated fraction, in [0, 1], null exactly when its denominator is below LER_MIN_COHORT;
-- value-added earnings only from LER_VAE_MIN_N learners. Returns each offending row with the broken
-- rule.
{% set min_cohort = var('ler:wpell:min_cohort') %}
{% set vae_min_n = var('ler:wpell:vae_min_n') %}
with outcomes as (
    select * from {{ ref('wpell_program_outcomes') }}
),

checks as (
    select provider_id, program_id, cohort_year, 'n_excluded > n_cohort' as broken_rule
    from outcomes where n_excluded > n_cohort
    union all
    select provider_id, program_id, cohort_year, 'n_completers_150 > n_cohort - n_excluded'
    from outcomes where n_completers_150 > n_cohort - n_excluded
    union all
    select provider_id, program_id, cohort_year, 'n_placed_180 > n_placement_base'
    from outcomes where n_placed_180 > n_placement_base
    union all
    select provider_id, program_id, cohort_year, 'n_placement_base > n_completers_150'
    from outcomes where n_placement_base > n_completers_150
    union all
    select provider_id, program_id, cohort_year, 'n_earnings_y3 > n_completers_150'
    from outcomes where n_earnings_y3 > n_completers_150
    union all
    select provider_id, program_id, cohort_year, 'completion_rate null iff denominator < min_cohort'
    from outcomes where (completion_rate is null) <> (n_cohort - n_excluded < {{ min_cohort }})
    union all
    select provider_id, program_id, cohort_year, 'completion_rate <> n_completers_150 / (n_cohort - n_excluded)'
    from outcomes
    where abs(completion_rate - n_completers_150::double / nullif(n_cohort - n_excluded, 0)) > 1e-9
    union all
    select provider_id, program_id, cohort_year, 'placement_rate null iff base < min_cohort'
    from outcomes where (placement_rate is null) <> (n_placement_base < {{ min_cohort }})
    union all
    select provider_id, program_id, cohort_year, 'placement_rate <> n_placed_180 / n_placement_base'
    from outcomes where abs(placement_rate - n_placed_180::double / nullif(n_placement_base, 0)) > 1e-9
    union all
    select provider_id, program_id, cohort_year, 'rate outside [0, 1]'
    from outcomes
    where completion_rate not between 0 and 1 or placement_rate not between 0 and 1
    union all
    select provider_id, program_id, cohort_year, 'median_earnings_y3 null iff n_earnings_y3 = 0'
    from outcomes where (median_earnings_y3 is null) <> (n_earnings_y3 = 0)
    union all
    select provider_id, program_id, cohort_year, 'median_earnings_y3 <= 0 (only earnings > 0 count)'
    from outcomes where median_earnings_y3 <= 0
    union all
    select provider_id, program_id, cohort_year, 'value_added_earnings present below vae_min_n'
    from outcomes where value_added_earnings is not null and n_earnings_y3 < {{ vae_min_n }}
)

select * from checks
