-- What each wage quarter is built from (docs/reporting_rules.md §6; amendments
-- docs/submission_manual.md §1): one row per quarter present in the lake, with the digest of its
-- inputs that the incremental wage models compare with the digest their rows carry
-- (macros/wage_slices.sql). The digest covers the files that contribute rows to the quarter, in
-- timeline order, by name, content hash (SHA-256 of the landed file) and row count, plus the
-- fingerprint of the code and settings; a file's absolute file_seq is not in it, so a file added
-- or removed elsewhere on the timeline leaves other quarters alone. changed_at: when the quarter's
-- digest last changed (macro previous_quarter_inputs), which the landed rows' tests follow.
{%- set fingerprint = wage_inputs_fingerprint() %}
{%- set previous = previous_quarter_inputs() %}
with wages as (
    select file_seq, wage_year, wage_quarter from {{ ref('stg_lake__wages') }}
),

files as (
    select file_seq, file_name, sha256 from {{ ref('stg_lake_audit__load_manifest') }}
),

per_file as (
    select wage_year, wage_quarter, file_seq, count(*) as n_rows
    from wages
    group by wage_year, wage_quarter, file_seq
),

digests as (
    select
        {{ quarter_index_of('p.wage_year', 'p.wage_quarter') }} as quarter_index,
        p.wage_year,
        p.wage_quarter,
        md5(
            '{{ fingerprint | replace("'", "''") }}|'
            || {{ ordered_string_agg("f.file_name || ':' || f.sha256 || ':' || " ~ to_text('p.n_rows'), "','", 'p.file_seq') }}
        ) as inputs_digest,
        count(*) as n_files,
        sum(p.n_rows)::bigint as n_rows
    from per_file as p
    join files as f using (file_seq)
    group by p.wage_year, p.wage_quarter
),

final as (
    select
        d.*,
        {%- if previous is not none %}
        coalesce(kept.changed_at, {{ slice_built_at() }}) as changed_at
        {%- else %}
        {{ slice_built_at() }} as changed_at
        {%- endif %}
    from digests as d
    {%- if previous is not none %}
    left join (select quarter_index, inputs_digest, changed_at from {{ previous }}) as kept
        on kept.quarter_index = d.quarter_index and kept.inputs_digest = d.inputs_digest
    {%- endif %}
)

select * from final
