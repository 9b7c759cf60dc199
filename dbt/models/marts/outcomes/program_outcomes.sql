-- Legislative report by program (docs/reporting_rules.md §7.2): one row per catalog program x completion year
-- with at least one completer. Grain: (provider_id, program_id, completion_year).
with awards as (
    select * from {{ ref('fct_credential_awards') }}
),

programs as (
    select * from {{ ref('dim_programs') }}
),

{{ completion_outcomes('awards', ['provider_id', 'program_id']) }},

final as (
    select
        o.provider_id,
        p.provider_name,
        o.program_id,
        p.program_name,
        p.cip_code,
        p.cip_family,
        p.credential_level,
        p.credit_type,
        {{ star_except(['provider_id', 'program_id'], 'o') }}
    from outcomes as o
    join programs as p using (provider_id, program_id)
)

select * from final order by provider_id, program_id, completion_year
