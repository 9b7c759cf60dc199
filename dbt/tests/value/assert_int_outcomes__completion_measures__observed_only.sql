-- "A learner whose needed quarter is not observed is left out of that measure's denominator - never
-- counted as not employed" (docs/reporting_rules.md §6). Employment and attachment can only be true in observed
-- quarters and years, earnings are never negative and a year has at most 4 employed quarters.
-- Returns each (person_key, completion_date) breaking one of these, with the broken rule.
with measures as (
    select * from {{ ref('int_outcomes__completion_measures') }}
)

select person_key, completion_date, 'employed in an unobserved quarter' as broken_rule
from measures
where (is_employed_q1 and not is_observed_q1)
    or (is_employed_q2 and not is_observed_q2)
    or (is_employed_q4 and not is_observed_q4)
union all
select person_key, completion_date, 'attached in an unobserved year'
from measures
where (is_attached_y1 and not is_observed_y1)
    or (is_attached_y3 and not is_observed_y3)
    or (is_attached_y5 and not is_observed_y5)
union all
select person_key, completion_date, 'negative earnings or more than 4 employed quarters'
from measures
where least(earnings_q1, earnings_q2, earnings_q4, annual_earnings_y1, annual_earnings_y3, annual_earnings_y5) < 0
    or greatest(quarters_employed_y1, quarters_employed_y3, quarters_employed_y5) > 4
union all
select person_key, completion_date, 'industry of +4 without employment in +4'
from measures
where primary_naics_sector_q4 is not null and not is_employed_q4
