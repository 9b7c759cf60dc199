-- Every spell of int_education__spells reaches marts.fct_enrollment_spells: the inner join to the
-- catalog there must drop nothing (a spell whose program left the catalog would silently leave every
-- cohort). Returns the spells that are missing from the mart, or duplicated in it.
with source_spells as (
    select spell_id from {{ ref('int_education__spells') }}
),

mart_spells as (
    select spell_id, count(*) as n_rows from {{ ref('fct_enrollment_spells') }} group by spell_id
)

select s.spell_id, coalesce(m.n_rows, 0) as n_rows_in_mart
from source_spells as s
left join mart_spells as m using (spell_id)
where m.spell_id is null or m.n_rows <> 1
