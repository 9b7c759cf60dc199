{#- The legislative measures of docs/reporting_rules.md §7.2, for any grouping of completions (§7.2
    by program, §7.3 statewide by credit type and level, §7.5 statewide by group). One macro so the
    tables cannot drift apart.

    `awards` must have person_key, is_ssn_key, spell_id, award_date, completion_year and the group
    columns. A learner counts once per group and completion year: the earliest award in that year
    (macro first_award_per_learner), whose date is the completion date for every measure. Wage
    measures are over SSN-keyed completers only; a rate, median or percentile over nobody is null. -#}
{% macro completion_outcomes(awards, group_columns) -%}
{%- set groups = group_columns | join(', ') -%}
completers as (
    {{ first_award_per_learner(awards, group_columns) }}
),

measured as (
    select c.*, {{ star_except(['person_key', 'completion_date'], 'm') }}
    from completers as c
    left join {{ ref('int_outcomes__completion_measures') }} as m
        on c.is_ssn_key and m.person_key = c.person_key and m.completion_date = c.award_date
),

industry_counts as (
    select {{ groups }}, completion_year, primary_naics_sector_q4 as naics_sector, count(*) as n_persons
    from measured
    where is_ssn_key and is_employed_q4 and primary_naics_sector_q4 is not null
    group by all
),

top_industry as (
    select {{ groups }}, completion_year, naics_sector as top_industry_q4
    from industry_counts
    qualify row_number() over (
        partition by {{ groups }}, completion_year order by n_persons desc, naics_sector asc
    ) = 1
),

aggregated as (
    select
        {{ groups }},
        completion_year,
        count(*) as n_completers,
        count(*) filter (where not is_ssn_key) as n_unmatchable,
        {% for q in [2, 4] %}
        count(*) filter (where is_ssn_key and is_observed_q{{ q }}) as n_observed_q{{ q }},
        count(*) filter (where is_ssn_key and is_employed_q{{ q }}) as n_employed_q{{ q }},
        {{ quantile_cont('earnings_q' ~ q ~ '::double', 0.5, 'is_ssn_key and is_employed_q' ~ q) }}
            as median_earnings_q{{ q }},
        {% endfor %}
        {% for k in [1, 3, 5] %}
        count(*) filter (where is_ssn_key and is_attached_y{{ k }}) as y{{ k }}_n_attached,
        {{ quantile_cont('annual_earnings_y' ~ k ~ '::double', 0.25, 'is_ssn_key and is_attached_y' ~ k) }}
            as y{{ k }}_p25_earnings,
        {{ quantile_cont('annual_earnings_y' ~ k ~ '::double', 0.5, 'is_ssn_key and is_attached_y' ~ k) }}
            as y{{ k }}_p50_earnings,
        {{ quantile_cont('annual_earnings_y' ~ k ~ '::double', 0.75, 'is_ssn_key and is_attached_y' ~ k) }}
            as y{{ k }}_p75_earnings{{ ',' if not loop.last }}
        {% endfor %}
    from measured
    group by {{ groups }}, completion_year
),

outcomes as (
    select
        a.{{ group_columns | join(', a.') }},
        a.completion_year,
        a.n_completers,
        a.n_unmatchable,
        {% for q in [2, 4] %}
        a.n_observed_q{{ q }},
        a.n_employed_q{{ q }},
        a.n_employed_q{{ q }}::double / nullif(a.n_observed_q{{ q }}, 0) as employment_rate_q{{ q }},
        a.median_earnings_q{{ q }},
        {% endfor %}
        t.top_industry_q4,
        {% for k in [1, 3, 5] %}
        a.y{{ k }}_n_attached,
        a.y{{ k }}_p25_earnings,
        a.y{{ k }}_p50_earnings,
        a.y{{ k }}_p75_earnings{{ ',' if not loop.last }}
        {% endfor %}
    from aggregated as a
    left join top_industry as t using ({{ groups }}, completion_year)
)
{%- endmacro %}


{#- The completers of a group and year (docs/reporting_rules.md §7.2, §7.3): each learner once, through
    the earliest award in the group and completion year; on one date, the lowest spell_id (so the
    record, and with it the learner's §7.5 group, never depends on file order). A select over
    `awards`, to wrap in a CTE. -#}
{% macro first_award_per_learner(awards, group_columns) -%}
    select *
    from {{ awards }}
    qualify row_number() over (
        partition by {{ group_columns | join(', ') }}, completion_year, person_key order by award_date, spell_id
    ) = 1
{%- endmacro %}
