-- The published reporting.statewide_outcomes has exactly the rows of marts.statewide_outcomes: suppression nulls
-- cells, it never drops or adds a row (a dropped row would itself disclose a small cell).
-- Returns the keys present on one side only.
with mart as (
    select credit_type, credential_level, completion_year from {{ ref('statewide_outcomes') }}
),

published as (
    select credit_type, credential_level, completion_year from {{ ref('rpt_statewide_outcomes') }}
)

select *, 'only in marts' as side from (select * from mart except all select * from published)
union all
select *, 'only in reporting' as side from (select * from published except all select * from mart)
