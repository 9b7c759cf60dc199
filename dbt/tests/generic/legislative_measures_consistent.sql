{#- Generic test: the measures of a legislative outcome table (program_outcomes, statewide_outcomes)
    are consistent with docs/reporting_rules.md §6-§7.2: wage counts are over SSN-keyed completers
    (n_completers - n_unmatchable) and nest; each rate is its fraction, in [0, 1], null only over
    nobody; medians and percentiles are null exactly when nobody is measured, ordered
    p25 <= p50 <= p75, and attached learners earn at least LER_MIN_ANNUAL_EARNINGS; top_industry_q4 is
    a 2-digit NAICS sector of someone employed in quarter +4. Returns each offending row with the
    broken rule. -#}
{% test legislative_measures_consistent(model, grain) %}
{%- set keys = grain | join(', ') -%}
with outcomes as (
    select * from {{ model }}
),

checks as (
    select {{ keys }}, 'n_unmatchable > n_completers' as broken_rule
    from outcomes where n_unmatchable > n_completers
    {%- for q in [2, 4] %}
    union all
    select {{ keys }}, 'n_observed_q{{ q }} > n_completers - n_unmatchable'
    from outcomes where n_observed_q{{ q }} > n_completers - n_unmatchable
    union all
    select {{ keys }}, 'n_employed_q{{ q }} > n_observed_q{{ q }}'
    from outcomes where n_employed_q{{ q }} > n_observed_q{{ q }}
    union all
    select {{ keys }}, 'employment_rate_q{{ q }} is not n_employed / n_observed (null over nobody)'
    from outcomes
    where (employment_rate_q{{ q }} is null) <> (n_observed_q{{ q }} = 0)
        or abs(employment_rate_q{{ q }} - n_employed_q{{ q }}::double / nullif(n_observed_q{{ q }}, 0)) > 1e-9
        or employment_rate_q{{ q }} not between 0 and 1
    union all
    select {{ keys }}, 'median_earnings_q{{ q }} null iff nobody employed, else > 0'
    from outcomes
    where (median_earnings_q{{ q }} is null) <> (n_employed_q{{ q }} = 0) or median_earnings_q{{ q }} <= 0
    {%- endfor %}
    {%- for k in [1, 3, 5] %}
    union all
    select {{ keys }}, 'y{{ k }}_n_attached > n_completers - n_unmatchable'
    from outcomes where y{{ k }}_n_attached > n_completers - n_unmatchable
    union all
    select {{ keys }}, 'y{{ k }} percentiles null iff nobody attached, ordered, >= min annual earnings'
    from outcomes
    where (y{{ k }}_p50_earnings is null) <> (y{{ k }}_n_attached = 0)
        or (y{{ k }}_p25_earnings is null) <> (y{{ k }}_n_attached = 0)
        or (y{{ k }}_p75_earnings is null) <> (y{{ k }}_n_attached = 0)
        or y{{ k }}_p25_earnings > y{{ k }}_p50_earnings + 1e-9
        or y{{ k }}_p50_earnings > y{{ k }}_p75_earnings + 1e-9
        or y{{ k }}_p25_earnings < {{ var('ler:min_annual_earnings') }} - 1e-9
    {%- endfor %}
    union all
    select {{ keys }}, 'top_industry_q4 is not a 2-digit sector of someone employed in +4'
    from outcomes
    where top_industry_q4 is not null
        and (not regexp_full_match(top_industry_q4, '[0-9]{2}') or n_employed_q4 = 0)
)

select * from checks
{% endtest %}
