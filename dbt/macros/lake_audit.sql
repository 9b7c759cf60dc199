{#- The audit tables of every source kind, unioned (docs/submission_manual.md §5). Each ingestion
    asset writes its own lake/_audit/<table>__<kind>.parquet; one source table per kind links each
    file to the asset that wrote it, so Dagster runs the audit models downstream of every ingestion
    asset. -#}
{% macro lake_audit_union(table) -%}
    {%- for kind in ['reference', 'transcripts', 'noncredit', 'wages'] %}
    select * from {{ lake_source('lake_audit', table ~ '__' ~ kind) }}
    {%- if not loop.last %}
    {{ union_all_by_name() }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
