{#- A lake table (dbt source `lake` or `lake_audit`) as a relation for the staging views.

    `ler run` runs dbt with LER_WAREHOUSE_DIR=~ and HOME = the warehouse folder, so the parsed
    project is the same for every warehouse (dagster_project/dbt_manifest.py); the sources' Parquet
    paths therefore start with ~/, which DuckDB expands through HOME. A view stores its SQL as
    written, so a reader of warehouse.duckdb with another HOME (an analyst, a test) would read
    another folder. When the model runs (`execute`, never while dbt parses, which keeps the parse
    warehouse-independent), the ~/ of the source's path is replaced by HOME, as DuckDB would expand
    it: the stored views name the warehouse's lake by its absolute path, quoted for SQL (a ' in the
    path doubled), so the warehouse folder may have any name (docs/reporting_rules.md §9). -#}
{% macro lake_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute -%}
        {{ (relation | string) | replace("('~/", "('" ~ (env_var('HOME', '~') | replace("'", "''")) ~ "/") }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
