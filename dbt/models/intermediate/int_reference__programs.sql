-- The program catalog in force: the latest row per (provider_id, program_id), with its SOC codes
-- as a list and the credit type of its dictionary level.
with programs as (
    select * from {{ ref('stg_lake__programs') }}
),

latest as (
    {{ latest_by_key('programs', ['provider_id', 'program_id']) }}
),

final as (
    select
        provider_id,
        program_id,
        program_name,
        cip_code,
        left(cip_code, 2) as cip_family,
        credit_type,
        credential_level,
        soc_codes,
        {{ split_trimmed('soc_codes', ';') }} as soc_code_list,
        clock_hours,
        credit_hours,
        weeks,
        tuition_fees,
        coalesce(is_wpell_candidate, false) as is_wpell_candidate,
        program_start_date
    from latest
)

select * from final
