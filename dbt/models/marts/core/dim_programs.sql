-- The program catalog with the Workforce Pell program facts the eligibility test uses
-- (docs/reporting_rules.md §7.1): length in clock hours and weeks, and whether any SOC code is on the
-- in-demand list (any designation).
with programs as (
    select * from {{ ref('int_reference__programs') }}
),

providers as (
    select provider_id, provider_name from {{ ref('int_reference__providers') }}
),

in_demand as (
    select soc_code from {{ ref('int_reference__in_demand_occupations') }}
),

demand_flags as (
    select p.provider_id, p.program_id, bool_or(d.soc_code is not null) as has_in_demand_soc
    from programs as p
    cross join {{ unnest_as('p.soc_code_list', 's', 'soc_code') }}
    left join in_demand as d on d.soc_code = s.soc_code
    group by p.provider_id, p.program_id
),

final as (
    select
        p.provider_id,
        p.program_id,
        pr.provider_name,
        p.program_name,
        p.cip_code,
        p.cip_family,
        p.credit_type,
        p.credential_level,
        p.soc_codes,
        p.clock_hours,
        p.credit_hours,
        p.weeks,
        p.tuition_fees,
        p.is_wpell_candidate,
        coalesce(
            p.clock_hours between {{ var('ler:wpell:min_clock_hours') }} and {{ var('ler:wpell:max_clock_hours') }}
            and p.weeks >= {{ var('ler:wpell:min_weeks') }}
            and p.weeks < {{ var('ler:wpell:max_weeks_exclusive') }},
            false
        ) as meets_length,
        coalesce(f.has_in_demand_soc, false) as is_in_demand,
        p.program_start_date
    from programs as p
    left join providers as pr using (provider_id)
    left join demand_flags as f using (provider_id, program_id)
)

select * from final
