{#- Incremental wage models, rebuilt one quarter (a "slice") at a time (docs/reporting_rules.md §6;
    amendments docs/submission_manual.md §1).

    Every key of int_wages__records lies in one quarter, so a quarter's rows depend only on the lake
    rows of that quarter and the order of the files they came from. int_wages__quarter_inputs gives
    each quarter a digest of exactly that: the files contributing rows to it, in timeline order, with
    their content hash and row count, plus LER_WAGE_INPUTS_FINGERPRINT (everything else that shapes a
    lake row or the wage SQL: the code version, the settings, the person-key secret's fingerprint;
    dagster_project/run_inputs.py). A slice whose digest differs from the one its rows carry is
    rebuilt whole from the lake's rows of that quarter: a new quarter, an amended one, a late file with
    an older stamp, a resubmitted or removed file all change the digest of each quarter they touch,
    and absolute file_seq values (which shift when a file is added or removed) do not enter it. A
    quarter no file has any more is deleted. Rows carry their slice's digest and built_at, in the
    same transaction as the rows themselves, so a build that fails leaves digests that still describe
    the rows, and the next build redoes what is missing.

    Strategy: delete+insert on quarter_index (dbt-duckdb replaces exactly the slices the new rows
    cover); on Spark a full rebuild every run (macro wage_slice_config, docs/spark.md). `ler run
    --full-refresh` runs `dbt build --full-refresh`: these tables are then created anew from every
    lake row (marts.run_metadata, the history of runs, has full_refresh=false and is kept). -#}

{#- The config of the two incremental wage models: delete+insert on quarter_index, and the post-hook
    that drops removed quarters. On Spark (docs/spark.md) a plain table, rebuilt whole every run:
    dbt-spark's insert_overwrite on Parquet would replace the new quarters but cannot delete a
    removed one, and merge needs Delta or Iceberg, which the local session does not have. -#}
{% macro wage_slice_config() -%}
    {{- return(adapter.dispatch('wage_slice_config', 'ler_warehouse')()) -}}
{%- endmacro %}

{% macro default__wage_slice_config() -%}
    {{- return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': 'quarter_index',
        'on_schema_change': 'append_new_columns',
        'post_hook': '{{ delete_removed_slices() }}',
    }) -}}
{%- endmacro %}

{% macro spark__wage_slice_config() -%}
    {#- no contract there: dbt-spark enforces no constraint on Parquet, and the declared types are
        DuckDB's (docs/spark.md) -#}
    {{- return({'materialized': 'table', 'contract': {'enforced': false}}) -}}
{%- endmacro %}

{#- The fingerprint of everything but the landed files (read when the model runs, never while dbt
    parses, so a new value re-parses nothing). Empty outside `ler run` / Dagster. -#}
{% macro wage_inputs_fingerprint() -%}
    {{- return(env_var('LER_WAGE_INPUTS_FINGERPRINT', '') if execute else '') -}}
{%- endmacro %}

{#- The slices to (re)build: rows (quarter_index, inputs_digest) of `upstream` whose digest is not the
    one every row of that quarter in this model carries. Every slice on a first build or a full
    refresh. -#}
{% macro pending_slices(upstream) -%}
    {%- if is_incremental() %}
    select u.quarter_index, u.inputs_digest
    from {{ upstream }} as u
    left join (
        select quarter_index, min(inputs_digest) as lowest, max(inputs_digest) as highest
        from {{ this }}
        group by quarter_index
    ) as built using (quarter_index)
    where not coalesce(built.lowest = u.inputs_digest and built.highest = u.inputs_digest, false)
    {%- else %}
    select quarter_index, inputs_digest from {{ upstream }}
    {%- endif %}
{%- endmacro %}

{#- Post-hook of the incremental wage models: drop the quarters no landed file has any more (a
    removed file), which delete+insert alone would keep. `not exists`, not `not in`: a null
    quarter (a row without year, which the tests of int_wages__lake_slice report) must not turn
    the delete into a no-op. -#}
{% macro delete_removed_slices() -%}
    delete from {{ this }} as built
    where not exists (
        select 1 from {{ ref('int_wages__quarter_inputs') }} as i where i.quarter_index = built.quarter_index
    )
{%- endmacro %}

{#- When a slice was (re)built: the start of the dbt invocation, one value for every row it writes. -#}
{% macro slice_built_at() -%}
    cast('{{ run_started_at }}' as {{ type_instant() }})
{%- endmacro %}

{#- The data tests of the wage tables check the slice the latest build wrote, not 50 M rows every
    night: rows of unchanged quarters were checked when they were built and have not changed since.
    A test of an incremental wage model says so with `where: "quarter_index in __latest_slice__"`;
    this override of dbt's get_where_subquery (the documented hook for custom `where` logic) puts
    the quarters the tested model wrote in its latest build in place of __latest_slice__. A first
    build and a full refresh write every quarter, so the tests then see every row. The landed rows'
    tests run on the view int_wages__lake_slice instead (a `where` cannot ref another model). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- set where = where | replace('__latest_slice__', latest_slice(relation)) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The quarters `relation` (an incremental wage model) wrote in its latest build, as a list of
    numbers looked up when the test or view runs: `quarter_index in (8088, 8089)`. A literal list
    lets DuckDB skip the other quarters' row groups and apply it before any other condition; the
    subquery it replaces was joined after the test's own conditions, so a nightly check of two
    quarters still matched a regular expression against all 50 M person keys of a state (14.5 s of
    a 53 s build). While dbt parses, the subquery stands in (nothing runs then). -#}
{% macro latest_slice(relation) -%}
    {%- set subquery -%}
        (select quarter_index from {{ relation }} where built_at = (select max(built_at) from {{ relation }}))
    {%- endset -%}
    {%- if not execute -%}
        {{- return(subquery) -}}
    {%- endif -%}
    {%- set found = run_query('select distinct quarter_index from ' ~ subquery ~ ' as latest order by 1') -%}
    {%- set quarters = [] -%}
    {%- for value in found.columns[0].values() -%}{%- do quarters.append(value | int | string) -%}{%- endfor -%}
    {{- return('(' ~ (quarters | join(', ') if quarters else 'NULL') ~ ')') -}}
{%- endmacro %}
