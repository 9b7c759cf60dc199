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
    {{- return(adapter.dispatch('lake_source', 'ler_warehouse')(source_name, table_name)) -}}
{%- endmacro %}

{% macro default__lake_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute -%}
        {{ (relation | string) | replace("('~/", "('" ~ (env_var('HOME', '~') | replace("'", "''")) ~ "/") }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{#- On Spark (docs/spark.md) the same Parquet files, read by Spark's `parquet.`<path>`` relation: the
    lake table's folder (every file in it has the same columns, _lake__sources.yml) or the audit
    file. The warehouse folder is LER_WAREHOUSE_DIR with a leading ~ read as HOME, as DuckDB reads it
    (`ler run` sets LER_WAREHOUSE_DIR=~ and HOME to the warehouse). source() is still called, so
    the lineage (and the Dagster asset graph) is the DuckDB build's. -#}
{% macro spark__lake_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set folder = env_var('LER_WAREHOUSE_DIR', 'warehouse') -%}
    {%- if folder == '~' or folder.startswith('~/') -%}
        {%- set folder = env_var('HOME', '~') ~ folder[1:] -%}
    {%- endif -%}
    {%- set path = folder ~ '/lake/' ~ (table_name if source_name == 'lake' else '_audit/' ~ table_name ~ '.parquet') -%}
    parquet.`{{ path | replace('`', '``') }}`
{%- endmacro %}
