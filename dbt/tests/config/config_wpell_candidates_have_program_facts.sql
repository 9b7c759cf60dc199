-- Config test: a Workforce Pell candidate program (programs.csv wpell_candidate = Y) needs its
-- clock_hours, weeks and tuition_fees in the catalog. Without weeks nobody can complete within 150 %
-- of normal time; without hours or weeks the program fails the length test (meets_length false);
-- without tuition the value-added earnings test cannot fail. Returns each candidate missing a fact.
select provider_id, program_id, clock_hours, weeks, tuition_fees
from {{ ref('dim_programs') }}
where is_wpell_candidate
    and (clock_hours is null or weeks is null or tuition_fees is null)
