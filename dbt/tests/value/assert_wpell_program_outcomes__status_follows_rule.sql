-- The flags, status and reasons of marts.wpell_program_outcomes follow docs/reporting_rules.md §7.1 exactly,
-- recomputed here independently from the published rates and program facts:
--   meets_length = 150 <= clock_hours <= 599 and 8 <= weeks < 15 (false when either is missing);
--   meets_completion / meets_placement = rate >= 0.70 (null with the rate);
--   meets_vae = VAE > 0 and tuition_fees <= VAE (null when VAE is null);
--   status = INSUFFICIENT_DATA when a rate is null, ELIGIBLE when length, in-demand, completion and
--   placement pass and VAE is not false, else INELIGIBLE;
--   reasons = LENGTH, NOT_IN_DEMAND, COMPLETION, PLACEMENT, VAE, SMALL_COHORT in that order.
-- Returns each row whose published value differs from the recomputed one.
with outcomes as (
    select * from {{ ref('wpell_program_outcomes') }}
),

flags as (
    select
        *,
        coalesce(
            clock_hours between {{ var('ler:wpell:min_clock_hours') }} and {{ var('ler:wpell:max_clock_hours') }}
            and weeks >= {{ var('ler:wpell:min_weeks') }} and weeks < {{ var('ler:wpell:max_weeks_exclusive') }},
            false) as expected_meets_length,
        completion_rate >= {{ var('ler:wpell:completion_threshold') }} as expected_meets_completion,
        placement_rate >= {{ var('ler:wpell:placement_threshold') }} as expected_meets_placement,
        case when value_added_earnings is not null
            then value_added_earnings > 0 and tuition_fees <= value_added_earnings end as expected_meets_vae
    from outcomes
),

expected as (
    select
        *,
        case
            when completion_rate is null or placement_rate is null then 'INSUFFICIENT_DATA'
            when expected_meets_length and in_demand and expected_meets_completion and expected_meets_placement
                and coalesce(expected_meets_vae, true) then 'ELIGIBLE'
            else 'INELIGIBLE'
        end as expected_status,
        nullif(array_to_string(list_filter([
            case when expected_meets_length = false then 'LENGTH' end,
            case when in_demand = false then 'NOT_IN_DEMAND' end,
            case when expected_meets_completion = false then 'COMPLETION' end,
            case when expected_meets_placement = false then 'PLACEMENT' end,
            case when expected_meets_vae = false then 'VAE' end,
            case when completion_rate is null or placement_rate is null then 'SMALL_COHORT' end
        ], lambda r: r is not null), ';'), '') as expected_reasons
    from flags
)

select provider_id, program_id, cohort_year, status, expected_status, reasons, expected_reasons
from expected
where meets_length is distinct from expected_meets_length
    or meets_completion is distinct from expected_meets_completion
    or meets_placement is distinct from expected_meets_placement
    or meets_vae is distinct from expected_meets_vae
    or status is distinct from expected_status
    or reasons is distinct from expected_reasons
