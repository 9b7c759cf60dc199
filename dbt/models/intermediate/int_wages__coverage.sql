-- How far the wage data reaches (docs/reporting_rules.md §6): wage_data_through = the latest quarter present in
-- the loaded wage data minus LER_WAGE_LAG_QUARTERS. A quarter after it is not observed. One row,
-- even when no wage file has loaded (then nothing is observed).
-- The quarters of the landed wage rows, every worker's (int_wages__records keeps the learners' only).
with wages as (
    select quarter_index from {{ ref('int_wages__quarter_inputs') }}
),

final as (
    select
        max(quarter_index) as latest_quarter_index,
        max(quarter_index) - {{ var('ler:wage_lag_quarters') }} as through_quarter_index
    from wages
)

select
    latest_quarter_index,
    through_quarter_index,
    {{ quarter_label('through_quarter_index') }} as wage_data_through,
    {{ int_div('through_quarter_index', 4) }} as wage_data_through_year,
    through_quarter_index % 4 + 1 as wage_data_through_quarter
from final
