{{ config(materialized='incremental', unique_key='run_id', on_schema_change='fail', full_refresh=false) }}
-- One row per pipeline run (docs/reporting_rules.md §7.4): when it ran, how far the wage data reached, how many
-- files loaded or were quarantined, how many rows were rejected, and the settings in force (as
-- JSON, plus one column per outcome threshold). finished_at is when the outcome marts were
-- finished; the publish step runs after it. Grain: run_id.
--
-- The run's id, start time and settings come from environment variables that the dbt asset sets
-- (dagster_project/assets/dbt.py), read only when the model runs (`execute`), never while dbt
-- parses: per-run --vars would make dbt re-parse the whole project on every run, and an env var
-- read at parse time would re-parse this file and re-process the manifest (about 4 s measured).
-- Outside Dagster they default to run_id 'manual', the build time and '{}'. full_refresh=false: `ler run
-- --full-refresh` rebuilds the wage tables, never the history of runs.
{%- set run_id = env_var('LER_RUN_ID', 'manual') if execute else 'manual' %}
{%- set run_started_at = env_var('LER_RUN_STARTED_AT', '') if execute else '' %}
{%- set settings_json = env_var('LER_RUN_SETTINGS_JSON', '{}') if execute else '{}' %}
with files as (
    select * from {{ ref('int_audit__files_counted') }}
),

coverage as (
    select * from {{ ref('int_wages__coverage') }}
),

final as (
    select
        '{{ run_id | replace("'", "''") }}' as run_id,
        coalesce(try_cast(nullif('{{ run_started_at | replace("'", "''") }}', '') as {{ type_instant() }}), now())
            as started_at,
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
        {{ json_literal("'" ~ (settings_json | replace("'", "''")) ~ "'") }} as settings
    from files as f
    cross join coverage as c
)

select * from final
