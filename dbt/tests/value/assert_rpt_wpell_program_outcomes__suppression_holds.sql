-- Every published cell of reporting.wpell_program_outcomes obeys LER_SPEC.md §8 (NCES SLDS Technical Brief 3),
-- re-derived here from the exact mart, independently of the macro suppressed_select:
--   a count of 1 to LER_MIN_CELL - 1 is null, 0 stays 0, larger counts are exact;
--   a rate, median or percentile is null when its denominator (exact mart value) is below
--   LER_MIN_CELL, else it is the mart value rounded (rates to 4 decimals, earnings to whole dollars);
--   suppressed is true exactly when some value was nulled by these rules;
--   every other column is the mart's, unchanged.
-- Returns each published row that differs, with the first column found wrong.
{% set min_cell = var('ler:min_cell') %}
{% set counts = ['n_cohort', 'n_excluded', 'n_completers_150', 'n_placement_base', 'n_placed_180', 'n_earnings_y3'] %}
{% set stats = {'completion_rate': ['(m.n_cohort - m.n_excluded)', 4], 'placement_rate': ['m.n_placement_base', 4],
                  'median_earnings_y3': ['m.n_earnings_y3', 0], 'value_added_earnings': ['m.n_earnings_y3', 0]} %}
{% set passthru = ['clock_hours', 'weeks', 'tuition_fees', 'soc_codes', 'meets_length', 'in_demand', 'meets_completion',
                     'meets_placement', 'meets_vae', 'status', 'reasons'] %}
with mart as (
    select * from {{ ref('wpell_program_outcomes') }}
),

published as (
    select * from {{ ref('rpt_wpell_program_outcomes') }}
),

expected as (
    select
        m.*,
        {%- for c in counts %}
        case when m.{{ c }} between 1 and {{ min_cell - 1 }} then null else m.{{ c }} end as expected_{{ c }},
        {%- endfor %}
        {%- for c, rule in stats.items() %}
        case when {{ rule[0] }} < {{ min_cell }} then null else round(m.{{ c }}, {{ rule[1] }}) end as expected_{{ c }},
        {%- endfor %}
        (
            {%- for c in counts %}
            m.{{ c }} between 1 and {{ min_cell - 1 }} or
            {%- endfor %}
            {%- for c, rule in stats.items() %}
            (m.{{ c }} is not null and {{ rule[0] }} < {{ min_cell }}) or
            {%- endfor %}
            false
        ) as expected_suppressed
    from mart as m
),

checked as (
    select
        provider_id, program_id, cohort_year,
        case
            {%- for c in counts %}
            when p.{{ c }} is distinct from e.expected_{{ c }} then '{{ c }}'
            {%- endfor %}
            {%- for c in stats %}
            when abs(coalesce(p.{{ c }}, -1e18) - coalesce(e.expected_{{ c }}, -1e18)) > 1e-9 then '{{ c }}'
            {%- endfor %}
            {%- for c in passthru %}
            when p.{{ c }} is distinct from e.{{ c }} then '{{ c }}'
            {%- endfor %}
            when p.suppressed is distinct from e.expected_suppressed then 'suppressed'
        end as wrong_column
    from expected as e
    join published as p using (provider_id, program_id, cohort_year)
)

select * from checked where wrong_column is not null
