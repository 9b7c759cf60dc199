-- The published reporting.wpell_program_outcomes has exactly the rows of marts.wpell_program_outcomes: suppression nulls
-- cells, it never drops or adds a row (a dropped row would itself disclose a small cell).
-- Returns the keys present on one side only.
with mart as (
    select provider_id, program_id, cohort_year from {{ ref('wpell_program_outcomes') }}
),

published as (
    select provider_id, program_id, cohort_year from {{ ref('rpt_wpell_program_outcomes') }}
)

select *, 'only in marts' as side from (select * from mart except all select * from published)
union all
select *, 'only in reporting' as side from (select * from published except all select * from mart)
