with source as (
    {{ lake_audit_union('load_manifest') }}
),

renamed as (
    select
        file_name,
        file_path,
        sha256,
        source_kind,
        file_format,
        status,
        rows_read,
        rows_loaded,
        rows_rejected,
        rows_duplicate,
        received_at,
        message,
        file_seq,
        layout
    from source
)

select * from renamed
