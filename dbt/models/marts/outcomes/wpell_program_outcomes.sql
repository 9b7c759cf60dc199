-- Workforce Pell program eligibility (docs/reporting_rules.md §7.1; 34 CFR 690, 91 FR 29254): one row per
-- program with wpell_candidate = Y x cohort year with at least one member.
-- Grain: (provider_id, program_id, cohort_year).
--
-- Business rules:
-- * Cohort: the program's enrollment spells whose start date falls in award year cohort_year; a
--   learner (person key) counts once: the spell with the earliest start is the member (ties: the
--   spell with an award, then the earlier award, then the later file and line).
-- * Excluded: exit reason INCARCERATED, DECEASED, MILITARY or MEDICAL (var
--   ler:wpell:excluded_exit_reasons).
-- * Completer within 150 %: not excluded, award date <= start + ceil(1.5 x weeks x 7) days.
-- * Placement, over completers with an SSN key: employed in quarter(completion) + 1 or + 2 (observed
--   quarters only); base = placed + (not placed and + 2 observed).
-- * Year-3 earnings and value-added earnings over the same completers; VAE only when
--   n_earnings_y3 >= LER_VAE_MIN_N. A rate (and its flag) is null below LER_MIN_COHORT.
with spells as (
    select * from {{ ref('fct_enrollment_spells') }}
),

programs as (
    select * from {{ ref('dim_programs') }} where is_wpell_candidate
),

measures as (
    select * from {{ ref('int_outcomes__completion_measures') }}
),

members as (
    select s.*, s.start_award_year as cohort_year
    from spells as s
    join programs as p using (provider_id, program_id)
    qualify row_number() over (
        partition by s.provider_id, s.program_id, s.start_award_year, s.person_key
        order by s.start_date, s.award_date is null, s.award_date, s.file_seq desc, s.line_number desc
    ) = 1
),

judged as (
    select
        m.*,
        coalesce(m.exit_reason in ({{ sql_string_list(var('ler:wpell:excluded_exit_reasons')) }}), false)
            as is_excluded,
        m.start_date + cast(ceil({{ var('ler:wpell:normal_time_factor') }} * p.weeks * 7) as integer)
            as completion_deadline
    from members as m
    join programs as p using (provider_id, program_id)
),

completers as (
    select
        j.*,
        not j.is_excluded and j.award_date is not null and j.award_date <= j.completion_deadline
            as is_completer_150
    from judged as j
),

with_measures as (
    select
        c.*,
        c.is_completer_150 and c.is_ssn_key as in_wage_measures,
        coalesce(ms.is_employed_q1 or ms.is_employed_q2, false) as is_placed,
        coalesce(ms.is_observed_q2, false) as is_observed_q2,
        coalesce(ms.is_observed_y3, false) as is_observed_y3,
        ms.annual_earnings_y3,
        ms.poverty_threshold_y3
    from completers as c
    left join measures as ms
        on c.is_completer_150 and c.is_ssn_key
        and ms.person_key = c.person_key and ms.completion_date = c.award_date
),

aggregated as (
    select
        provider_id,
        program_id,
        cohort_year,
        count(*) as n_cohort,
        count(*) filter (where is_excluded) as n_excluded,
        count(*) filter (where is_completer_150) as n_completers_150,
        count(*) filter (where in_wage_measures and (is_placed or is_observed_q2)) as n_placement_base,
        count(*) filter (where in_wage_measures and is_placed) as n_placed_180,
        count(*) filter (where in_wage_measures and is_observed_y3 and annual_earnings_y3 > 0) as n_earnings_y3,
        {{ quantile_cont('annual_earnings_y3::double', 0.5,
                         'in_wage_measures and is_observed_y3 and annual_earnings_y3 > 0') }} as median_earnings_y3,
        {{ quantile_cont('(annual_earnings_y3 - poverty_threshold_y3)::double', 0.5,
                         'in_wage_measures and is_observed_y3 and annual_earnings_y3 > 0') }} as median_value_added
    from with_measures
    group by provider_id, program_id, cohort_year
),

rated as (
    select
        a.*,
        case when a.n_cohort - a.n_excluded >= {{ var('ler:wpell:min_cohort') }}
            then a.n_completers_150::double / (a.n_cohort - a.n_excluded) end as completion_rate,
        case when a.n_placement_base >= {{ var('ler:wpell:min_cohort') }}
            then a.n_placed_180::double / a.n_placement_base end as placement_rate,
        case when a.n_earnings_y3 >= {{ var('ler:wpell:vae_min_n') }} then a.median_value_added end
            as value_added_earnings
    from aggregated as a
),

flagged as (
    select
        r.*,
        p.clock_hours,
        p.weeks,
        p.tuition_fees,
        p.soc_codes,
        p.meets_length,
        p.is_in_demand as in_demand,
        r.completion_rate >= {{ var('ler:wpell:completion_threshold') }} as meets_completion,
        r.placement_rate >= {{ var('ler:wpell:placement_threshold') }} as meets_placement,
        r.value_added_earnings > 0 and p.tuition_fees <= r.value_added_earnings as meets_vae
    from rated as r
    join programs as p using (provider_id, program_id)
),

final as (
    select
        provider_id,
        program_id,
        cohort_year,
        n_cohort,
        n_excluded,
        n_completers_150,
        completion_rate,
        n_placement_base,
        n_placed_180,
        placement_rate,
        n_earnings_y3,
        median_earnings_y3,
        value_added_earnings,
        clock_hours,
        weeks,
        tuition_fees,
        soc_codes,
        meets_length,
        in_demand,
        meets_completion,
        meets_placement,
        meets_vae,
        case
            when completion_rate is null or placement_rate is null then 'INSUFFICIENT_DATA'
            when meets_length and in_demand and meets_completion and meets_placement
                and meets_vae is distinct from false then 'ELIGIBLE'
            else 'INELIGIBLE'
        end as status,
        nullif(concat_ws(';',
            case when not meets_length then 'LENGTH' end,
            case when not in_demand then 'NOT_IN_DEMAND' end,
            case when meets_completion = false then 'COMPLETION' end,
            case when meets_placement = false then 'PLACEMENT' end,
            case when meets_vae = false then 'VAE' end,
            case when completion_rate is null or placement_rate is null then 'SMALL_COHORT' end
        ), '') as reasons
    from flagged
)

select * from final order by provider_id, program_id, cohort_year
