-- Learners' consent to learner-level outputs (reference/consent*.csv, docs/submission_manual.md
-- §2.5): one row per file line. The SSN was keyed at ingestion; only the person key is here.
with source as (
    select * from {{ lake_source('lake', 'consent') }}
),

renamed as (
    select
        person_key,
        is_ssn_key,
        scope,
        status,
        effective_date::date as effective_date,
        source_format,
        file_name,
        file_seq,
        line_number
    from source
)

select * from renamed
