-- Every published cell of reporting.statewide_outcomes obeys LER_SPEC.md §8 (NCES SLDS Technical Brief 3),
-- re-derived here from the exact mart, independently of the macro suppressed_select:
--   a count of 1 to LER_MIN_CELL - 1 is null, 0 stays 0, larger counts are exact;
--   a rate, median or percentile is null when its denominator (exact mart value) is below
--   LER_MIN_CELL, else it is the mart value rounded (rates to 4 decimals, earnings to whole dollars);
--   suppressed is true exactly when some value was nulled by these rules;
--   every other column is the mart's, unchanged.
-- Returns each published row that differs, with the first column found wrong.
{% set min_cell = var('ler:min_cell') %}
{% set counts = ['n_completers', 'n_unmatchable', 'n_observed_q2', 'n_employed_q2', 'n_observed_q4', 'n_employed_q4', 'y1_n_attached', 'y3_n_attached', 'y5_n_attached'] %}
{% set stats = {'employment_rate_q2': ['m.n_observed_q2', 4], 'median_earnings_q2': ['m.n_employed_q2', 0],
                  'employment_rate_q4': ['m.n_observed_q4', 4], 'median_earnings_q4': ['m.n_employed_q4', 0],
                  'y1_p25_earnings': ['m.y1_n_attached', 0], 'y1_p50_earnings': ['m.y1_n_attached', 0],
                  'y1_p75_earnings': ['m.y1_n_attached', 0], 'y3_p25_earnings': ['m.y3_n_attached', 0],
                  'y3_p50_earnings': ['m.y3_n_attached', 0], 'y3_p75_earnings': ['m.y3_n_attached', 0],
                  'y5_p25_earnings': ['m.y5_n_attached', 0], 'y5_p50_earnings': ['m.y5_n_attached', 0],
                  'y5_p75_earnings': ['m.y5_n_attached', 0]} %}
{% set passthru = ['top_industry_q4'] %}
with mart as (
    select * from {{ ref('statewide_outcomes') }}
),

published as (
    select * from {{ ref('rpt_statewide_outcomes') }}
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
        credit_type, credential_level, completion_year,
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
    join published as p using (credit_type, credential_level, completion_year)
)

select * from checked where wrong_column is not null
