-- Config test: the HHS poverty guideline seed (hhs_poverty_guidelines.csv) must be extended each
-- January when HHS publishes the new year (docs/reporting_rules.md §6). Until then, learners whose year-3
-- earnings year is the new year are judged against the latest published guideline (the project's
-- rule), which understates the value-added earnings threshold. Returns the seed's latest year when
-- it is older than the current calendar year.
select max(guideline_year) as latest_guideline_year, year(current_date) as current_year
from {{ ref('hhs_poverty_guidelines') }}
having max(guideline_year) < year(current_date)
