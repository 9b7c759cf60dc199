-- Wage outcomes of one SSN-keyed learner after one completion date (docs/reporting_rules.md §6), computed once
-- per (person_key, completion_date) and shared by every outcome table.
--
-- Business rules:
-- * quarter +k of a completion is quarter_index(completion_date) + k; it is observed when it is not
--   after wage_data_through. An unobserved quarter is never "not employed": measures carry
--   is_observed_* flags so each table leaves such learners out of its denominators.
-- * Annual earnings of year k = the four quarters of calendar year year(completion_date) + k;
--   observed only when Q4 of that year is observed. Attached = annual earnings >=
--   LER_MIN_ANNUAL_EARNINGS and earnings > 0 in at least ler:attachment_min_quarters (3) of the 4
--   quarters.
-- * poverty_threshold_y3 = LER_POVERTY_MULTIPLIER (default 1.5) x the HHS guideline (1 person, 48
--   states) of the year-3 earnings year, or of the latest published year when that year is later
--   (and of the earliest year in the seed when it is earlier, so no learner silently drops out of
--   the VAE median).
with awards as (
    select distinct person_key, award_date as completion_date
    from {{ ref('int_education__spells') }}
    where award_date is not null and is_ssn_key
),

person_quarters as (
    select * from {{ ref('int_wages__person_quarters') }}
),

coverage as (
    select through_quarter_index from {{ ref('int_wages__coverage') }}
),

guidelines as (
    select * from {{ ref('hhs_poverty_guidelines') }}
),

completions as (
    select
        person_key,
        completion_date,
        {{ quarter_index('completion_date') }} as completion_quarter_index,
        year(completion_date) as completion_calendar_year
    from awards
),

windowed as (
    -- quarters from +1 to the end of year +5: everything any measure looks at
    select
        c.person_key,
        c.completion_date,
        pq.quarter_index - c.completion_quarter_index as quarter_offset,
        {{ int_div('pq.quarter_index', 4) }} - c.completion_calendar_year as year_offset,
        pq.earnings,
        pq.primary_naics_sector
    from completions as c
    join person_quarters as pq
        on pq.person_key = c.person_key
        and pq.quarter_index between c.completion_quarter_index + 1
            and {{ q4_index_of_year('c.completion_calendar_year + 5') }}
),

summed as (
    select
        person_key,
        completion_date,
        coalesce(sum(earnings) filter (where quarter_offset = 1), 0) as earnings_q1,
        coalesce(sum(earnings) filter (where quarter_offset = 2), 0) as earnings_q2,
        coalesce(sum(earnings) filter (where quarter_offset = 4), 0) as earnings_q4,
        max(primary_naics_sector) filter (where quarter_offset = 4 and earnings > 0) as primary_naics_sector_q4,
        {% for k in [1, 3, 5] %}
        coalesce(sum(earnings) filter (where year_offset = {{ k }}), 0) as annual_earnings_y{{ k }},
        count(*) filter (where year_offset = {{ k }} and earnings > 0) as quarters_employed_y{{ k }}{{ ',' if not loop.last }}
        {% endfor %}
    from windowed
    group by person_key, completion_date
),

final as (
    select
        c.person_key,
        c.completion_date,
        c.completion_quarter_index,
        {% for q in [1, 2, 4] %}
        coalesce(c.completion_quarter_index + {{ q }} <= cov.through_quarter_index, false) as is_observed_q{{ q }},
        coalesce(c.completion_quarter_index + {{ q }} <= cov.through_quarter_index, false)
            and coalesce(s.earnings_q{{ q }}, 0) > 0 as is_employed_q{{ q }},
        coalesce(s.earnings_q{{ q }}, 0) as earnings_q{{ q }},
        {% endfor %}
        case when coalesce(c.completion_quarter_index + 4 <= cov.through_quarter_index, false)
            then s.primary_naics_sector_q4 end as primary_naics_sector_q4,
        {% for k in [1, 3, 5] %}
        coalesce({{ q4_index_of_year('c.completion_calendar_year + ' ~ k) }} <= cov.through_quarter_index, false)
            as is_observed_y{{ k }},
        coalesce(s.annual_earnings_y{{ k }}, 0) as annual_earnings_y{{ k }},
        coalesce(s.quarters_employed_y{{ k }}, 0) as quarters_employed_y{{ k }},
        coalesce({{ q4_index_of_year('c.completion_calendar_year + ' ~ k) }} <= cov.through_quarter_index, false)
            and coalesce(s.annual_earnings_y{{ k }}, 0) >= {{ var('ler:min_annual_earnings') }}
            and coalesce(s.quarters_employed_y{{ k }}, 0) >= {{ var('ler:attachment_min_quarters') }}
            as is_attached_y{{ k }},
        {% endfor %}
        {{ var('ler:wpell:poverty_multiplier') }} * g.poverty_guideline_1p as poverty_threshold_y3
    from completions as c
    cross join coverage as cov
    left join summed as s using (person_key, completion_date)
    left join guidelines as g
        on g.guideline_year = greatest(least(c.completion_calendar_year + 3, (select max(guideline_year) from guidelines)),
                                       (select min(guideline_year) from guidelines))
)

select * from final
