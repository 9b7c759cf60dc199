-- int_wages__coverage must hold exactly one row (wage_data_through), even with no wage data loaded:
-- every outcome model cross-joins it, so zero rows would empty them and two would double them.
select count(*) as n_rows
from {{ ref('int_wages__coverage') }}
having count(*) <> 1
