{{ config(materialized='incremental', unique_key='run_id', on_schema_change='fail') }}
-- One row per pipeline run (LER_SPEC.md §7.4): when it ran, how far the wage data reached, how many
-- files loaded or were quarantined, how many rows were rejected, and the settings in force (as
-- JSON, plus one column per outcome threshold). finished_at is when the outcome marts were
-- finished; the publish step runs after it. Grain: run_id.
with files as (
    select * from {{ ref('int_audit__files_counted') }}
),

coverage as (
    select * from {{ ref('int_wages__coverage') }}
),

final as (
    select
        '{{ var("ler:run_id") }}' as run_id,
        coalesce(try_cast(nullif('{{ var("ler:run_started_at") }}', '') as timestamptz), now()) as started_at,
        now() as finished_at,
        c.wage_data_through,
        c.wage_data_through_year,
        c.wage_data_through_quarter,
        f.files_loaded,
        f.files_quarantined,
        f.files_duplicate,
        f.rows_loaded,
        f.rows_rejected,
        {{ var('ler:wage_lag_quarters') }} as wage_lag_quarters,
        {{ var('ler:min_annual_earnings') }}::double as min_annual_earnings,
        {{ var('ler:min_cell') }} as min_cell,
        {{ var('ler:wpell:min_cohort') }} as min_cohort,
        {{ var('ler:wpell:vae_min_n') }} as vae_min_n,
        '{{ var("ler:settings_json") }}'::json as settings
    from files as f
    cross join coverage as c
)

select * from final
