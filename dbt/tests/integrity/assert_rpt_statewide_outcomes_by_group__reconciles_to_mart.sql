-- The published reporting.statewide_outcomes_by_group has exactly the rows of
-- marts.statewide_outcomes_by_group: suppression nulls cells, it never drops or adds a row (a dropped
-- row would itself disclose a small group). Returns the keys present on one side only.
with mart as (
    select credit_type, credential_level, completion_year, group_dimension, group_value
    from {{ ref('statewide_outcomes_by_group') }}
),

published as (
    select credit_type, credential_level, completion_year, group_dimension, group_value
    from {{ ref('rpt_statewide_outcomes_by_group') }}
)

select *, 'only in marts' as side from (select * from mart except all select * from published)
union all
select *, 'only in reporting' as side from (select * from published except all select * from mart)
