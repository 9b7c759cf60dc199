-- The run's files and rows by load status (docs/submission_manual.md §5), for marts.run_metadata: one row, also
-- when the manifest is empty.
with manifest as (
    select * from {{ ref('stg_lake_audit__load_manifest') }}
),

final as (
    select
        count(*) filter (where status in ('LOADED', 'LOADED_WITH_REJECTS')) as files_loaded,
        count(*) filter (where status = 'QUARANTINED') as files_quarantined,
        count(*) filter (where status = 'DUPLICATE') as files_duplicate,
        coalesce(sum(rows_loaded), 0) as rows_loaded,
        coalesce(sum(rows_rejected) filter (where status = 'LOADED_WITH_REJECTS'), 0) as rows_rejected
    from manifest
)

select * from final
